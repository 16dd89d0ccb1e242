"""The catalogue of occupational fields (Berufsfelder) and occupations, as data.

``consultations/berufe.yaml`` lists the fields a school answers in (coarse) and the occupations a
firm offers places in (fine). ``load_catalogue`` validates it and reports every problem as
``"place: message"``, the place written like ``fields[2].occupations[4].id``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.consultation.fields import I18n
from bot.resources import CONSULTATIONS_DIR

DEFAULT_CATALOGUE = CONSULTATIONS_DIR / "berufe.yaml"
FIELD_ID = r"^[a-z]{1,12}$"
OCCUPATION_ID = r"^[a-z0-9-]{1,24}$"


class CatalogueError(Exception):
    """A catalogue file that cannot be used; ``errors`` holds every problem as "place: message"."""

    def __init__(self, errors: list[str], source: str = "<data>") -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__("\n".join(f"{source}: {error}" for error in self.errors))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Occupation(_Model):
    """A recognised training occupation (Ausbildungsberuf)."""

    id: Annotated[str, Field(pattern=OCCUPATION_ID)]
    title: I18n


class OccupationalField(_Model):
    """A field of occupations; its id matches the training questionnaires' question ids."""

    id: Annotated[str, Field(pattern=FIELD_ID)]
    title: I18n
    occupations: Annotated[tuple[Occupation, ...], Field(min_length=1)]

    def occupation(self, occupation_id: str) -> Occupation | None:
        """The occupation with this id in this field, or None."""
        return next((o for o in self.occupations if o.id == occupation_id), None)


class Catalogue(_Model):
    """All fields with their occupations, in the order shown as buttons."""

    fields: Annotated[tuple[OccupationalField, ...], Field(min_length=1)]
    # The question id with which the training questionnaires ask internships without a field.
    internships: Annotated[str, Field(pattern=FIELD_ID)] | None = None

    def field(self, field_id: str) -> OccupationalField | None:
        """The field with this id, or None (e.g. from a forged button)."""
        return next((f for f in self.fields if f.id == field_id), None)

    @property
    def field_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields)

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The question ids of the training questionnaires: the fields, then internships."""
        return (*self.field_ids, *([self.internships] if self.internships else []))


def _place(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _duplicates(data: object) -> list[str]:
    """Field ids unique; occupation ids unique in the whole catalogue (tolerant of bad data)."""
    problems: list[str] = []
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, list):
        return problems
    seen_fields: set[object] = set()
    seen_occupations: dict[object, str] = {}
    for n, item in enumerate(fields):
        if not isinstance(item, dict):
            continue
        if item.get("id") in seen_fields:
            problems.append(f"fields[{n}].id: duplicate field id {item.get('id')!r}")
        seen_fields.add(item.get("id"))
        occupations = item.get("occupations")
        for m, occupation in enumerate(occupations if isinstance(occupations, list) else []):
            if not isinstance(occupation, dict) or "id" not in occupation:
                continue
            place = f"fields[{n}].occupations[{m}].id"
            if occupation["id"] in seen_occupations:
                first = seen_occupations[occupation["id"]]
                problems.append(
                    f"{place}: duplicate occupation id {occupation['id']!r} (first at {first})"
                )
            else:
                seen_occupations[occupation["id"]] = place
    internships = data.get("internships") if isinstance(data, dict) else None
    if internships is not None and internships in seen_fields:
        problems.append(f"internships: {internships!r} is a field id; use a question id of its own")
    return problems


def parse_catalogue(data: object, source: str = "<data>") -> Catalogue:
    """Validate loaded YAML data; raises CatalogueError listing every problem."""
    problems: list[str] = []
    catalogue: Catalogue | None = None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        problems += [f"{_place(err['loc']) or 'catalogue'}: {err['msg']}" for err in exc.errors()]
    problems += _duplicates(data)
    if problems or catalogue is None:
        raise CatalogueError(problems, source)
    return catalogue


def load_catalogue(path: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate a catalogue file."""
    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(["file not found"], source) from None
    except yaml.YAMLError as exc:
        raise CatalogueError([f"not valid YAML: {exc}"], source) from None
    return parse_catalogue(data, source)
