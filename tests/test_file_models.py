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
