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
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal
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
from pydantic_core import PydanticCustomError

from bot.consultation.checks import (
    check_consultation,
    check_event,
    check_phase,
    check_question,
    check_questionnaire,
)
from bot.consultation.yaml_models import no_number, problems_of, show
from bot.consultation.yaml_places import Loc, Problem, YamlRefused, line_of, parse_yaml, place
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.questions import KINDS, QuestionKind
from bot.questions.number import MAX_DEFAULT, MIN_DEFAULT

__all__ = [
    "ActionField",
    "Consultation",
    "ConsultationError",
    "Event",
    "I18n",
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


def _known_kind(value: str) -> str:
    if value not in KINDS:
        allowed = ", ".join(KINDS)
        raise PydanticCustomError(
            "unknown_kind",
            "unknown type {value} (allowed: {allowed})",
            {"value": repr(value), "allowed": allowed},
        )
    return value


QuestionType = Annotated[str, AfterValidator(_known_kind)]  # a name in bot.questions.KINDS
YamlDate = Annotated[date, BeforeValidator(no_number)]
YamlDateTime = Annotated[datetime, BeforeValidator(no_number)]
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
    """A text in German (always) and in any other declared language (bot/languages.py,
    optional), e.g. ``{de: Umfrage, en: Survey}``. In YAML also a plain string (= German)."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=True)
    __pydantic_extra__: dict[str, Text] = Field(init=False)

    de: Text  # the default language (DEFAULT_LANGUAGE): every text has it

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, data: object) -> object:
        if isinstance(data, str):
            return {"de": data}
        return data

    @model_validator(mode="after")
    def _declared(self) -> I18n:
        for code in self.model_extra or {}:
            if code not in LANGUAGES:
                raise PydanticCustomError(
                    "unknown_language",
                    "unknown language '{key}' (declared: {declared}; quote texts with commas)",
                    {"key": code, "declared": ", ".join(LANGUAGES)},
                )
        return self

    @property
    def texts(self) -> tuple[str, ...]:
        """The text in every language it is given in, German first."""
        return (self.de, *(str(t) for t in (self.model_extra or {}).values()))

    @classmethod
    def shape(cls) -> str:
        return "a text or a mapping with " + " and ".join(f"{code}:" for code in LANGUAGES)

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("en", "en-GB", ...), falling back to German."""
        code = lang.split("-")[0].lower()
        if code != DEFAULT_LANGUAGE and (text := (self.model_extra or {}).get(code)):
            return str(text)
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


def _equals_message(loc: Loc, value: object) -> str | None:
    if loc[-2:-1] == ("equals",):
        return f"expected an option id, a rating 1 to 5 or true/false, got {show(value)}"
    return None


def _problems(exc: ValidationError) -> tuple[list[Problem], list[Problem]]:
    return problems_of(exc, Consultation, _PATTERN_HELP, _equals_message)


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
