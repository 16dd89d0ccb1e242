"""A consultation as data: typed, frozen models for one YAML file, and their validator.

A consultation file (see ``consultations/hagenow.yaml``) describes the whole process: phases and
dates, action fields, stakeholder groups, events and questionnaires. ``load_consultation`` reads
it, checks the structure with pydantic and the meaning with the cross-checks, and reports
*every* problem it finds as ``"place: message"``, the place written like
``questionnaires[2].questions[4].type``. Nothing is reported as a traceback.

Two layers of checks:

* structure (types, patterns, required and unknown keys) is pydantic's job;
* meaning (unique ids, references, date orders, type-specific question fields, ``show_if``) is
  done by the ``check_*`` functions of ``bot.consultation.checks``. They work on plain data,
  tolerant of malformed input, so they can run on the raw YAML even where pydantic failed, and
  every problem is reported in one go. The models' ``after`` validators call the same
  functions, so a model constructed in code is held to the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field, ValidationError, model_validator

from bot.consultation.checks import check_consultation, check_event, check_phase
from bot.consultation.fields import (
    ACTION_FIELD_ID,
    CONSULTATION_ID,
    EVENT_ID,
    GROUP_ID,
    PATTERN_HELP,
    PHASE_ID,
    I18n,
    Model,
    Text,
    YamlDate,
    YamlDateTime,
    raise_problems,
)
from bot.consultation.questionnaire import Questionnaire
from bot.consultation.yaml_models import problems_of, show
from bot.consultation.yaml_places import Loc, Problem, YamlRefused, line_of, parse_yaml, place

EventKind = Literal["kickoff", "workshop"]


class Retention(Model):
    """What happens to a person's data when it is erased (on request or after purge_after)."""

    # Keep their answers for the figures, without person, organisation or group, day only.
    keep_anonymised: bool = False


class ActionField(Model):
    id: Annotated[str, Field(pattern=ACTION_FIELD_ID)]
    title: I18n
    description: I18n | None = None
    training: bool = False  # its workshop's pack always shows the training places table


class StakeholderGroup(Model):
    id: Annotated[str, Field(pattern=GROUP_ID)]
    title: I18n
    anonymous: I18n  # how an unnamed organisation of this group is referred to in documents
    organisation: bool = True  # false: its people answer for themselves (no organisation)


class Phase(Model):
    id: Annotated[str, Field(pattern=PHASE_ID)]
    title: I18n
    starts: YamlDate
    ends: YamlDate

    @model_validator(mode="after")
    def _consistent(self) -> Phase:
        raise_problems(check_phase(self.model_dump(exclude_unset=True)))
        return self


class Event(Model):
    id: Annotated[str, Field(pattern=EVENT_ID)]
    kind: EventKind
    title: I18n
    action_field: str | None = None
    starts: YamlDateTime  # naive, local time of the consultation
    ends: YamlDateTime
    place: Text
    capacity: Annotated[int, Field(ge=1, le=500)]

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        raise_problems(check_event(self.model_dump(exclude_unset=True)))
        return self


class Letterhead(Model):
    """The sender of the invitation letters (``agenda-bot invite letters``)."""

    lines: Annotated[list[Text], Field(min_length=1, max_length=8)]  # top right, first in bold
    signature: Annotated[list[Text], Field(max_length=4)] = Field(default_factory=list)
    place: Text | None = None  # the date line's place (default: the town)


class Consultation(Model):
    id: Annotated[str, Field(pattern=CONSULTATION_ID)]
    title: I18n
    town: Text
    timezone: Text
    consent_version: Text
    controller: Text
    contact: Text
    purge_after: YamlDate
    letterhead: Letterhead | None = None
    retention: Retention = Retention()
    phases: list[Phase]
    action_fields: list[ActionField]
    groups: list[StakeholderGroup]
    events: list[Event]
    questionnaires: list[Questionnaire]

    @model_validator(mode="after")
    def _consistent(self) -> Consultation:
        raise_problems(check_consultation(self.model_dump(exclude_unset=True), deep=False))
        return self

    def action_field(self, id: str) -> ActionField | None:
        return next((f for f in self.action_fields if f.id == id), None)

    def group(self, id: str) -> StakeholderGroup | None:
        return next((g for g in self.groups if g.id == id), None)

    def needs_organisation(self, group_id: str | None) -> bool:
        """Whether people of this group answer for an organisation (asked for its name)."""
        group = self.group(group_id) if group_id else None
        return group is None or group.organisation

    def questionnaire(self, id: str) -> Questionnaire | None:
        return next((q for q in self.questionnaires if q.id == id), None)

    def event(self, id: str) -> Event | None:
        return next((e for e in self.events if e.id == id), None)

    @property
    def workshops(self) -> list[Event]:
        return [e for e in self.events if e.kind == "workshop"]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --------------------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------------------


class ConsultationError(Exception):
    """A consultation file that cannot be used; ``errors`` holds every problem as "place: message".

    ``lines`` runs parallel to ``errors`` (the line in the file, where known); ``str()`` of the
    exception renders them as ``FILE:LINE: place: message``, one per line, for the command line.
    """

    def __init__(
        self, errors: list[str], source: str = "<data>", lines: Sequence[int | None] = ()
    ) -> None:
        self.errors = list(errors)
        self.source = source
        self.lines: list[int | None] = list(lines) or [None] * len(self.errors)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.errors)
        out = [f"{self.source}: {n} problem{'' if n == 1 else 's'} in the consultation"]
        for error, line in zip(self.errors, self.lines, strict=False):
            out.append(f"  {self.source}:{line}: {error}" if line else f"  {error}")
        return "\n".join(out)


def _equals_message(loc: Loc, value: object) -> str | None:
    if loc[-2:-1] == ("equals",):
        return f"expected an option id, a rating 1 to 5 or true/false, got {show(value)}"
    return None


def _problems(exc: ValidationError) -> tuple[list[Problem], list[Problem]]:
    return problems_of(exc, Consultation, PATTERN_HELP, _equals_message)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _parse(data: object, source: str, root: yaml.Node | None) -> Consultation:
    try:
        return Consultation.model_validate(data)
    except ValidationError as exc:
        problems, consistency = _problems(exc)
    if isinstance(data, dict):
        problems += check_consultation(data)
    if not problems:
        problems = consistency
    unique = list(dict.fromkeys(problems))
    located = [(loc, msg, line_of(root, loc)) for loc, msg in unique]
    if root is not None:
        located.sort(key=lambda p: p[2] or 0)
    errors = [f"{place(loc) or source}: {msg}" for loc, msg, _ in located]
    raise ConsultationError(errors, source, [line for *_, line in located])


def parse_consultation(data: object, source: str = "<data>") -> Consultation:
    """Validate already-parsed YAML; raises ConsultationError listing every problem."""
    if data is None:
        raise ConsultationError([f"{source}: the consultation is empty"], source)
    if not isinstance(data, dict):
        raise ConsultationError(
            [f"{source}: expected a mapping (key: value) at the top, got {type(data).__name__}"],
            source,
        )
    return _parse(data, source, None)


def load_consultation(path: str | Path) -> Consultation:
    """Read and validate a consultation file; raises ConsultationError listing every problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConsultationError([f"{source}: file not found"], source) from None
    except IsADirectoryError:
        raise ConsultationError([f"{source}: is a directory, not a file"], source) from None
    except UnicodeDecodeError as exc:
        raise ConsultationError([f"{source}: not UTF-8 text (byte {exc.start})"], source) from None
    except OSError as exc:
        raise ConsultationError([f"{source}: cannot read ({exc.strerror})"], source) from None

    try:
        data, root = parse_yaml(text)
    except YamlRefused as refused:
        raise ConsultationError([f"{source}: {refused.message}"], source) from None

    if data is None:
        raise ConsultationError([f"{source}: the file is empty"], source)
    if not isinstance(data, dict):
        raise ConsultationError(
            [f"{source}: expected a mapping (key: value) at the top, got {type(data).__name__}"],
            source,
        )
    return _parse(data, source, root)
