"""The ids that button payloads and awaited steps carry, each with its longest length (taken
from the id's pattern, so a longer id in the files shows up in tests/test_payloads.py)."""

from __future__ import annotations

from typing import Annotated

from bot.callbacks import Chars
from bot.consultation.catalogue import FIELD_ID, OCCUPATION_ID
from bot.consultation.fields import (
    ACTION_FIELD_ID,
    EVENT_ID,
    GROUP_ID,
    OPTION_ID,
    QUESTION_ID,
    QUESTIONNAIRE_ID,
)
from bot.draft import MEASURE_ID

QuestionnaireKey = Annotated[str, Chars.of(QUESTIONNAIRE_ID)]
QuestionKey = Annotated[str, Chars.of(QUESTION_ID)]
OptionKey = Annotated[str, Chars.of(OPTION_ID)]
ActionFieldKey = Annotated[str, Chars.of(ACTION_FIELD_ID)]
GroupKey = Annotated[str, Chars.of(GROUP_ID)]
EventKey = Annotated[str, Chars.of(EVENT_ID)]
MeasureKey = Annotated[str, Chars.of(MEASURE_ID)]
TrainingFieldKey = Annotated[str, Chars.of(FIELD_ID)]  # bot/consultation/catalogue.py (berufe.yaml)
OccupationKey = Annotated[str, Chars.of(OCCUPATION_ID)]
