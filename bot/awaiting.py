"""What typed input the bot waits for from a person, as typed values (`people.awaiting`).

The column keeps a string (`q:<questionnaire>:<question>:<message>`, `tr:dt:<year>:<field>`,
...); this module is the only place that writes or reads it. Each kind of step is a class with
typed fields, packed and parsed like the button payloads (bot/callbacks.py); the input router
(handlers/input.py) hands a typed message to the flow whose class `parse` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from bot.callbacks import Packed, Registry
from bot.keys import MeasureKey, QuestionKey, QuestionnaireKey, TrainingFieldKey
from storage import people
from storage.db import Database


class Awaiting(Packed):
    """Base of every awaited step."""

    registry: ClassVar[Registry] = Registry("awaiting", None)


@dataclass(frozen=True)
class OrgName(Awaiting, prefix="org_name"):
    """The organisation's name (onboarding)."""


@dataclass(frozen=True)
class QuestionAnswer(Awaiting, prefix="q"):
    """A typed answer to the question shown in message `message`."""

    questionnaire: QuestionnaireKey
    question: QuestionKey
    message: int


@dataclass(frozen=True)
class ProblemTitle(Awaiting, prefix="p:title"):
    """The title of the report being written."""

    draft: int


@dataclass(frozen=True)
class ProblemDescription(Awaiting, prefix="p:text"):
    """The description of the report being written."""

    draft: int


@dataclass(frozen=True)
class ProblemPhoto(Awaiting, prefix="p:photo"):
    """A photo for the report being written (or the "no photo" button)."""

    draft: int


@dataclass(frozen=True)
class SeekingTraining(Awaiting, prefix="tr:dt"):
    """A school's count of pupils seeking training in a field and leaving year."""

    year: int
    field: TrainingFieldKey


@dataclass(frozen=True)
class SeekingInternship(Awaiting, prefix="tr:di"):
    """A school's count of pupils seeking an internship in a field and leaving year."""

    year: int
    field: TrainingFieldKey


@dataclass(frozen=True)
class OccupationText(Awaiting, prefix="tr:ot"):
    """A firm's occupation not in the catalogue, for a field and starting year."""

    year: int
    field: TrainingFieldKey


@dataclass(frozen=True)
class OfferPlaces(Awaiting, prefix="tr:op"):
    """A firm's training places of one offer."""

    offer: int


@dataclass(frozen=True)
class OfferInternships(Awaiting, prefix="tr:oi"):
    """A firm's internship places of one offer."""

    offer: int


@dataclass(frozen=True)
class TrainingContact(Awaiting, prefix="tr:ct"):
    """A firm's contact for schools."""


@dataclass(frozen=True)
class IndicatorValue(Awaiting, prefix="pg:in"):
    """Staff: a value of the measure's indicator number `index`."""

    measure: MeasureKey
    index: int


@dataclass(frozen=True)
class ProgressNote(Awaiting, prefix="pg:no"):
    """Staff: a note on the measure's progress."""

    measure: MeasureKey


TRAINING_STEPS = (
    SeekingTraining,
    SeekingInternship,
    OccupationText,
    OfferPlaces,
    OfferInternships,
    TrainingContact,
)
PROGRESS_STEPS = (IndicatorValue, ProgressNote)
PROBLEM_STEPS = (ProblemTitle, ProblemDescription, ProblemPhoto)


def parse(stored: str | None) -> Awaiting | None:
    """The step a stored `awaiting` names; None for nothing awaited or a shape no longer used."""
    found = Awaiting.registry.parse(stored)
    return found if isinstance(found, Awaiting) else None


async def expect(db: Database, person_id: int, step: Awaiting | None, *, now: datetime) -> None:
    """Store what the person's next typed message is for (None: nothing)."""
    await people.set_awaiting(db, person_id, step.pack() if step else None, now=now)
