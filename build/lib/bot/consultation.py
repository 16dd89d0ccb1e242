"""A consultation as data: typed, frozen models for one YAML file, and their validator.

A consultation file (see ``consultations/hagenow.yaml``) describes the whole process: phases and
dates, action fields, stakeholder groups, events and questionnaires. ``load_consultation`` reads
it, checks the structure with pydantic and the meaning with the cross-checks, and reports
*every* problem it finds as ``"place: message"``, the place written like
``questionnaires[2].questions[4].type``. Nothing is reported as a traceback.

Two layers of checks:

* structure (types, patterns, required and unknown keys) is pydantic's job;
* meaning (unique ids, references, date orders, type-specific question fields, ``show_if``) is
  done by the ``check_*`` functions of ``bot.consultation_checks``. They work on plain data,
  tolerant of malformed input, so they can run on the raw YAML even where pydantic failed, and
  every problem is reported in one go. The models' ``after`` validators call the same
  functions, so a model constructed in code is held to the same rules.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.consultation_checks import (
    check_consultation,
    check_event,
    check_phase,
    check_question,
    check_questionnaire,
)
from bot.questions import KINDS, QuestionKind
from bot.questions.number import MAX_DEFAULT, MIN_DEFAULT
from bot.yaml_places import Loc, Problem, YamlRefused, line_of, parse_yaml, place

__all__ = [
    "ActionField",
    "Consultation",
    "ConsultationError",
    "Event",
    "I18n",
    "Lang",
    "Letterhead",
    "Option",
    "Phase",
    "Question",
    "Questionnaire",
    "QuestionnaireKind",
    "ShowIf",
    "StakeholderGroup",
    "load_consultation",
    "parse_consultation",
]

Lang = Literal["de", "en"]
QuestionnaireKind = Literal[
    "status_quo", "best_practice", "goals", "training_demand", "training_supply", "other"
]
EventKind = Literal["kickoff", "workshop"]


OPTION_ID = r"^[a-z0-9_]{1,12}$"
QUESTION_ID = r"^[a-z0-9_]{1,16}$"
QUESTIONNAIRE_ID = r"^[a-z0-9-]{1,16}$"
EVENT_ID = r"^[a-z0-9-]{1,16}$"
ACTION_FIELD_ID = r"^[a-z]{1,12}$"
GROUP_ID = r"^[a-z_]{1,12}$"
PHASE_ID = r"^[a-z0-9_-]{1,24}$"
CONSULTATION_ID = r"^[a-z0-9][a-z0-9_-]{0,31}$"

_PATTERN_HELP = {
    OPTION_ID: "a-z, 0-9 and _, at most 12 characters",
    QUESTION_ID: "a-z, 0-9 and _, at most 16 characters",
    QUESTIONNAIRE_ID: "a-z, 0-9 and -, at most 16 characters",
    ACTION_FIELD_ID: "a-z only, at most 12 characters",
    GROUP_ID: "a-z and _, at most 12 characters",
    PHASE_ID: "a-z, 0-9, _ and -, at most 24 characters",
    CONSULTATION_ID: "a-z, 0-9, _ and -, at most 32 characters, starting with a letter or digit",
}


def _no_number(value: object) -> object:
    # pydantic reads a bare number as a Unix timestamp; in a hand-written file it is a typo.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("date_number", "expected a date, got a number")
    return value


def _known_kind(value: str) -> str:
    if value not in KINDS:
        allowed = ", ".join(KINDS)
        raise PydanticCustomError(
            "unknown_kind", "unknown type {value} (allowed: {allowed})",
            {"value": repr(value), "allowed": allowed},
        )  # fmt: skip
    return value


QuestionType = Annotated[str, AfterValidator(_known_kind)]  # a name in bot.questions.KINDS
YamlDate = Annotated[date, BeforeValidator(_no_number)]
YamlDateTime = Annotated[datetime, BeforeValidator(_no_number)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _raise_problems(problems: list[Problem]) -> None:
    """Raise the checker's problems from a model validator (for models built in code)."""
    if problems:
        text = "; ".join(f"{place(loc)}: {msg}" for loc, msg in problems)
        raise PydanticCustomError("consistency", "{problems}", {"problems": text})


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


class I18n(_Model):
    """A text in German (always) and English (optional). In YAML also a plain string (= German)."""

    de: Text
    en: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: object) -> object:
        if isinstance(data, str):
            return {"de": data}
        return data

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("en", "en-GB", ...), falling back to German."""
        if lang[:2].lower() == "en" and self.en:
            return self.en
        return self.de


class Option(_Model):
    id: Annotated[str, Field(pattern=OPTION_ID)]
    text: I18n


def _norm(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ShowIf(_Model):
    """Show a question only if an earlier answer is one of ``equals`` (multi: any overlap)."""

    question: str
    equals: Annotated[list[str | int | bool], Field(min_length=1)]

    def matches(self, answer: object) -> bool:
        """Whether a stored answer (int, str, bool, list[str] or None) satisfies this condition.

        Values are compared in normalised form, so ``1`` matches ``"1"`` and ``True``
        matches ``"true"``.
        """
        if answer is None:
            return False
        wanted = {_norm(v) for v in self.equals}
        if isinstance(answer, list | tuple | set | frozenset):
            return any(_norm(a) in wanted for a in answer)
        return _norm(answer) in wanted


class Question(_Model):
    id: Annotated[str, Field(pattern=QUESTION_ID)]
    type: QuestionType
    text: I18n
    help: I18n | None = None
    required: bool = True
    options: list[Option] = []
    min: int | None = None
    max: int | None = None
    max_length: Annotated[int, Field(ge=1, le=3000)] = 1000
    low_label: I18n | None = None
    high_label: I18n | None = None
    show_if: ShowIf | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        _raise_problems(check_question(self.model_dump(exclude_unset=True)))
        return self

    @property
    def kind(self) -> QuestionKind:
        """How questions of this type are asked, answered and counted (bot.questions)."""
        return KINDS[self.type]

    @property
    def min_value(self) -> int:
        return MIN_DEFAULT if self.min is None else self.min

    @property
    def max_value(self) -> int:
        return MAX_DEFAULT if self.max is None else self.max

    def option(self, oid: str) -> Option | None:
        """The option with id ``oid`` (callback data is untrusted: look it up, never index)."""
        return next((o for o in self.options if o.id == oid), None)


class Reminders(_Model):
    """When a questionnaire reminds those who have not finished it (all optional)."""

    days_before_close: Annotated[
        list[Annotated[int, Field(ge=0, le=365)]], Field(max_length=10)
    ] = [7, 2]
    max: Annotated[int, Field(ge=0, le=10)] = 2  # at most this many per person
    min_gap_days: Annotated[int, Field(ge=0, le=60)] = 3  # at least this many days apart

    @model_validator(mode="after")
    def _consistent(self) -> Reminders:
        seen: set[int] = set()
        problems: list[Problem] = []
        for k, days in enumerate(self.days_before_close):
            if days in seen:
                problems.append((("days_before_close", k), f"{days} is listed twice"))
            seen.add(days)
        _raise_problems(problems)
        return self


class Retention(_Model):
    """What happens to a person's data when it is erased (on request or after purge_after)."""

    # Keep their answers for the figures, without person, organisation or group, day only.
    keep_anonymised: bool = False


class Questionnaire(_Model):
    id: Annotated[str, Field(pattern=QUESTIONNAIRE_ID)]
    kind: QuestionnaireKind
    title: I18n
    intro: I18n | None = None
    action_field: str | None = None
    groups: Annotated[list[str], Field(min_length=1)]
    opens: YamlDate
    closes: YamlDate
    questions: Annotated[list[Question], Field(min_length=1, max_length=40)]
    reminders: Reminders = Field(default_factory=Reminders)

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        data = self.model_dump(exclude_unset=True)
        _raise_problems(check_questionnaire(data, deep=False))
        return self

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def is_open(self, today: date) -> bool:
        return self.opens <= today <= self.closes


class ActionField(_Model):
    id: Annotated[str, Field(pattern=ACTION_FIELD_ID)]
    title: I18n
    description: I18n | None = None
    training: bool = False  # its workshop's pack always shows the training places table


class StakeholderGroup(_Model):
    id: Annotated[str, Field(pattern=GROUP_ID)]
    title: I18n
    anonymous: I18n  # how an unnamed organisation of this group is referred to in documents
    organisation: bool = True  # false: its people answer for themselves (no organisation)


class Phase(_Model):
    id: Annotated[str, Field(pattern=PHASE_ID)]
    title: I18n
    starts: YamlDate
    ends: YamlDate

    @model_validator(mode="after")
    def _consistent(self) -> Phase:
        _raise_problems(check_phase(self.model_dump(exclude_unset=True)))
        return self


class Event(_Model):
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
        _raise_problems(check_event(self.model_dump(exclude_unset=True)))
        return self


class Letterhead(_Model):
    """The sender of the invitation letters (``agenda-bot invite letters``)."""

    lines: Annotated[list[Text], Field(min_length=1, max_length=8)]  # top right, first in bold
    signature: Annotated[list[Text], Field(max_length=4)] = Field(default_factory=list)
    place: Text | None = None  # the date line's place (default: the town)


class Consultation(_Model):
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
        _raise_problems(check_consultation(self.model_dump(exclude_unset=True), deep=False))
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


_UNION_TAGS = {"str", "int", "bool", "float"}


def _is_union_tag(part: str) -> bool:
    # pydantic names the member of a union that failed: 'str', 'constrained-str',
    # 'function-after[...]'. Field names are identifiers, so anything else is a tag.
    return part in _UNION_TAGS or not part.isidentifier()


def _clean_loc(loc: tuple[str | int, ...], keep_last: bool = False) -> tuple[Loc, bool]:
    """Drop pydantic's union-member tags ('str', 'int', 'function-after[...]') from a loc."""
    cleaned: list[str | int] = []
    tagged = False
    for n, part in enumerate(loc):
        if keep_last and n == len(loc) - 1:
            cleaned.append(part)  # an unknown key from the file, whatever its spelling
        elif isinstance(part, str) and _is_union_tag(part):
            tagged = True
        else:
            cleaned.append(part)
    return tuple(cleaned), tagged


def _unwrap(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _type_at(loc: Loc) -> Any:
    """The annotation of the field at ``loc`` below Consultation (None if it cannot be told)."""
    tp: Any = Consultation
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int):
            args = get_args(tp)
            if get_origin(tp) is not list or not args:
                return None
            tp = args[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part)
            if field is None:
                return None
            tp = field.annotation
        else:
            return None
    return _unwrap(tp)


def _show(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(err: ErrorDetails, loc: Loc) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    name = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    target = _type_at(loc)
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        parent = _type_at(loc[:-1])
        is_model = isinstance(parent, type) and issubclass(parent, BaseModel)
        fields = list(parent.model_fields) if is_model else []
        if is_model and issubclass(parent, I18n):
            return f"unknown language {name!r} (only de and en; quote texts with commas)"
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(fields)
        return f"unknown key {loc[-1]!r} ({hint})"
    if value is None and kind not in ("value_error", "consistency"):
        return "is empty, but a value is needed"
    if kind == "literal_error":
        allowed = get_args(target) if get_origin(target) is Literal else ()
        listed = ", ".join(map(str, allowed)) if allowed else ctx.get("expected", "")
        return f"unknown {name} {_show(value)} (allowed: {listed})"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{_show(value)} is not a valid id (use {_PATTERN_HELP.get(pattern, pattern)})"
    if kind == "string_type":
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
        elif isinstance(value, int | float | date):
            hint = " (put it in quotes)"
        return f"expected a text, got {_show(value)}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long", "string_too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        unit = "characters" if kind.startswith("string") else "entries"
        if limit == 1:
            unit = unit.replace("characters", "character").replace("entries", "entry")
        word = "at least" if kind == "too_short" else "at most"
        actual = ctx.get("actual_length", len(value) if isinstance(value, Sequence) else "?")
        return f"needs {word} {limit} {unit} (has {actual})"
    if kind.startswith("int_"):
        return f"expected a whole number, got {_show(value)}"
    if kind.startswith("bool_"):
        return f"expected true or false, got {_show(value)}"
    if kind.startswith("datetime_"):
        return f"expected a date and time like 2027-01-20 18:00, got {_show(value)}"
    if kind.startswith("date_"):
        detail = f" ({ctx['error']})" if "error" in ctx and kind != "date_number" else ""
        return f"expected a date like 2027-01-20, got {_show(value)}{detail}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {_show(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if isinstance(target, type) and issubclass(target, I18n):
            return f"expected a text or a mapping with de: and en:, got {_show(value)}"
        return f"expected a mapping (key: value), got {_show(value)}"
    bounds = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
    if any(key in ctx for key in bounds) and kind.endswith(("_than", "_than_equal")):
        key = next(key for key in bounds if key in ctx)
        return f"must be {bounds[key]} {ctx[key]}, got {_show(value)}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(err["msg"])


def _pydantic_problems(exc: ValidationError) -> tuple[list[Problem], list[Problem]]:
    """(structural problems, the models' own consistency problems) of a ValidationError."""
    problems: list[Problem] = []
    consistency: list[Problem] = []
    for err in exc.errors():
        if err["type"] == "consistency":
            # Re-found, with exact places, by the cross-checks on the raw data; kept as a
            # fallback for the rare case where only the coerced values show the problem.
            consistency.append((_clean_loc(err["loc"])[0], str(err["ctx"]["problems"])))
            continue
        loc, tagged = _clean_loc(err["loc"], keep_last=err["type"] == "extra_forbidden")
        if tagged and loc[-2:-1] == ("equals",):
            msg = f"expected an option id, a rating 1 to 5 or true/false, got {_show(err['input'])}"
        else:
            msg = _message(err, loc)
        problems.append((loc, msg))
    return problems, consistency


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _parse(data: object, source: str, root: yaml.Node | None) -> Consultation:
    try:
        return Consultation.model_validate(data)
    except ValidationError as exc:
        problems, consistency = _pydantic_problems(exc)
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
