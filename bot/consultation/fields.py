"""The building blocks of a consultation file's models: id patterns, dates written as dates,
texts in every declared language (``I18n``), the strict base model.

The models themselves: ``questionnaire.py`` (questions and questionnaires) and ``model.py``
(the consultation, its phases, fields, groups and events, and loading a file).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.consultation.yaml_models import no_number
from bot.consultation.yaml_places import Problem, place
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.questions import KINDS

OPTION_ID = r"^[a-z0-9_]{1,12}$"
QUESTION_ID = r"^[a-z0-9_]{1,16}$"
QUESTIONNAIRE_ID = r"^[a-z0-9-]{1,16}$"
EVENT_ID = r"^[a-z0-9-]{1,16}$"
ACTION_FIELD_ID = r"^[a-z]{1,12}$"
GROUP_ID = r"^[a-z_]{1,12}$"
PHASE_ID = r"^[a-z0-9_-]{1,24}$"
CONSULTATION_ID = r"^[a-z0-9][a-z0-9_-]{0,31}$"

PATTERN_HELP = {
    OPTION_ID: "a-z, 0-9 and _, at most 12 characters",
    QUESTION_ID: "a-z, 0-9 and _, at most 16 characters",
    QUESTIONNAIRE_ID: "a-z, 0-9 and -, at most 16 characters",
    ACTION_FIELD_ID: "a-z only, at most 12 characters",
    GROUP_ID: "a-z and _, at most 12 characters",
    PHASE_ID: "a-z, 0-9, _ and -, at most 24 characters",
    CONSULTATION_ID: "a-z, 0-9, _ and -, at most 32 characters, starting with a letter or digit",
}


def known_kind(value: str) -> str:
    if value not in KINDS:
        allowed = ", ".join(KINDS)
        raise PydanticCustomError(
            "unknown_kind",
            "unknown type {value} (allowed: {allowed})",
            {"value": repr(value), "allowed": allowed},
        )
    return value


QuestionType = Annotated[str, AfterValidator(known_kind)]  # a name in bot.questions.KINDS
YamlDate = Annotated[date, BeforeValidator(no_number)]
YamlDateTime = Annotated[datetime, BeforeValidator(no_number)]
Text = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def raise_problems(problems: list[Problem]) -> None:
    """Raise the checker's problems from a model validator (for models built in code)."""
    if problems:
        text = "; ".join(f"{place(loc)}: {msg}" for loc, msg in problems)
        raise PydanticCustomError("consistency", "{problems}", {"problems": text})


class I18n(Model):
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
