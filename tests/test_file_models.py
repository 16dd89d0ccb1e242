"""The consultation, draft and plan files are validated by the same models-with-places
(bot/consultation/yaml_models.py): the same words for the same mistake, wherever it is made."""

from __future__ import annotations

import pytest

from bot import draft
from bot.consultation.model import Consultation
from bot.plan import PlanError, parse_plan
from tests.test_draft import DRAFT


def test_a_misspelt_key_gets_the_same_hint_in_every_file(consultation: Consultation) -> None:
    text = DRAFT.format(n=1).replace("\ntitle:", "\ntitel:", 1)
    with pytest.raises(draft.DraftError) as raised:
        draft.load_draft(text, consultation)
    assert "titel: unknown key 'titel' (did you mean 'title'?)" in raised.value.errors
    with pytest.raises(PlanError) as planned:
        parse_plan({"title": "Plan", "measurs": {}}, {}, consultation)
    assert "measurs: unknown key 'measurs' (did you mean 'measures'?)" in planned.value.errors


def test_a_text_that_yaml_read_as_true_gets_the_same_hint(consultation: Consultation) -> None:
    text = DRAFT.format(n=1).replace("responsible: Hauptamt", "responsible: yes", 1)
    with pytest.raises(draft.DraftError) as raised:
        draft.load_draft(text, consultation)
    assert any(
        e.endswith(
            "responsible: expected a text, got True (YAML reads yes/no/on/off as "
            "true/false: put the text in quotes)"
        )
        for e in raised.value.errors
    ), raised.value.errors


def test_a_list_missing_empty_or_too_long_gets_the_same_words(consultation: Consultation) -> None:
    text = DRAFT.format(n=1).replace("\nmeasures:", "\nmeasuress:", 1)
    with pytest.raises(draft.DraftError) as raised:
        draft.load_draft(text, consultation)
    missing = "measures: expected a list (lines starting with '- '), got nothing"
    assert missing in raised.value.errors
    entry = {
        "responsible": "Hauptamt",
        "work_packages": [],
        "milestones": [{"title": "Start", "date": "2028-01-01"}] * 31,
    }
    with pytest.raises(PlanError) as planned:
        parse_plan({"title": "Plan", "measures": {"v-termine": entry}}, {}, consultation)
    errors = planned.value.errors
    assert "measures.v-termine.work_packages: needs at least 1 entry (has 0)" in errors
    assert "measures.v-termine.milestones: needs at most 30 entries (has 31)" in errors
    assert (
        "measures.v-termine.indicators: expected a list (lines starting with '- '), got nothing"
    ) in errors
