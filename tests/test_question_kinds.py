"""Every question kind in the registry round-trips: asked (buttons or a typing hint, in every
language), answered (a tap or typed text gives the value back), aggregated in SQL the way the
packs count it, and written to the export."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.consultation.model import parse_consultation
from bot.consultation.questionnaire import Question
from bot.export_cells import answer_cells
from bot.questions import KINDS
from bot.resources import TEMPLATES_DIR
from bot.texts import LANGUAGES, Texts
from storage import answers, people
from storage import packs as store
from storage.db import Database

NOW = datetime.fromisoformat("2026-12-01T09:00:00+00:00")
PARTIAL_MACROS = ("answer", "hint", "option_label", "pack_note")


def _question(kind: str) -> Question:
    """A question of this kind, as the file would give it (through the validator)."""
    extra: dict[str, Any] = {}
    if "options" in KINDS[kind].keys:
        extra["options"] = [{"id": "a", "text": "Erstens"}, {"id": "b", "text": "Zweitens"}]
    if "min" in KINDS[kind].keys:
        extra.update(min=1, max=50)
    return Question.model_validate({"id": f"q_{kind}", "type": kind, "text": "Frage?", **extra})


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_its_partial(kind: str) -> None:
    path = TEMPLATES_DIR / "messages" / "questions" / f"{kind}.j2"
    assert path.is_file(), f"missing partial {path.name}"
    text = path.read_text(encoding="utf-8")
    for macro in PARTIAL_MACROS:
        assert f"macro {macro}(" in text, f"{kind}.j2 lacks {macro}"


def test_a_file_with_an_unknown_kind_names_the_registered_ones() -> None:
    with pytest.raises(Exception, match="allowed: " + ", ".join(KINDS)):
        Question.model_validate({"id": "x", "type": "slider", "text": "Frage?"})


@pytest.mark.parametrize("kind", list(KINDS))
async def test_every_kind_round_trips(kind: str, tmp_path: Path) -> None:
    question = _question(kind)
    texts = Texts()
    rng = random.Random(7)
    value = question.kind.sample(rng, question)

    # Ask: the question renders in every language; either buttons or a typing hint.
    taps = [tap for row in question.kind.taps(question, None, "de") for tap in row]
    for lang in LANGUAGES:
        shown = texts.render(
            lang,
            "question",
            questionnaire=_questionnaire(question),
            question=question,
            number=1,
            total=1,
            current=value,
            answered=True,
        )
        assert "Frage?" in shown
        saved = texts.render(lang, "question_answered", question=question, value=value)
        assert saved.strip()

    # Answer: the way a person gives this value gives it back.
    if question.kind.collects:
        ticks = [t.raw for t in taps if t.step == "toggle"]
        assert isinstance(value, list)  # a kind that collects keeps a list of choices
        assert set(value) <= set(ticks) and any(t.step == "done" for t in taps)
    elif taps:
        given = [question.kind.from_button(question, str(t.raw)) for t in taps]
        assert value in given
    else:
        assert question.kind.from_text(question, question.kind.as_typed(value, "de"), "de") == value

    # Aggregate: stored, then counted as the pack counts it.
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        person = await people.record_consent(db, 4242, "de", "v1", now=NOW)
        await answers.save(db, person.id, "qn", question.id, value, now=NOW)
        answered = await store.answered_per_question(db, "qn")
        assert [(r.question_id, r.answered) for r in answered] == [(question.id, 1)]
        if question.kind.counted:
            counts = await store.option_counts(db, "qn", [question.id])
            keys = {key for key, _ in question.kind.option_keys(question, "de")}
            assert {r.option for r in counts} <= keys and sum(r.count for r in counts) >= 1
        if question.kind.summarised:
            (summary,) = await store.number_summaries(db, "qn", [question.id])
            assert summary.count == 1 and summary.mean == float(value)  # type: ignore[arg-type]
        if question.kind.quoted:
            quoted = await store.text_answers(db, "qn", [question.id])
            assert [t.text for t in quoted] == [value]
        records = [r for r in await _answer_values(db) if r is not None]
    finally:
        await db.close()

    # Export: a value cell and a readable text cell.
    (stored,) = records
    cell, readable = answer_cells(question, stored)
    assert cell not in (None, "") and readable not in (None, "")
    if question.kind.counted and question.options:
        assert readable in {o.text.de for o in question.options} | {"Erstens; Zweitens"}


def _questionnaire(question: Question) -> Any:
    data = {
        "id": "qn",
        "kind": "other",
        "title": "Umfrage",
        "groups": ["firm"],
        "opens": "2026-11-01",
        "closes": "2026-12-31",
        "questions": [question.model_dump(exclude_unset=True)],
    }
    file = {
        "id": "t",
        "title": "T",
        "town": "T",
        "timezone": "Europe/Berlin",
        "consent_version": "v1",
        "controller": "T",
        "contact": "t@example.org",
        "purge_after": "2027-12-31",
        "phases": [],
        "action_fields": [],
        "groups": [{"id": "firm", "title": "Firma", "anonymous": "eine Firma"}],
        "events": [],
        "questionnaires": [data],
    }
    consultation = parse_consultation(file)
    return consultation.questionnaires[0]


async def _answer_values(db: Database) -> list[str | None]:
    rows = await db.fetchall("SELECT value FROM answers")  # tests read what storage wrote
    return [row["value"] for row in rows]
