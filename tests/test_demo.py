"""`agenda-bot demo`: a small run through the real bot, its report checked against the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.consultation import Consultation
from bot.demo import run_demo
from bot.demo_people import FIRST_TELEGRAM_ID
from storage import people, stats
from storage import problems as problem_store
from storage.db import Database
from storage.integrity import is_demo_database

PER_GROUP = 3


def figures(report: str, section: str, label: str) -> list[int]:
    """The numbers on the row that starts with label, in the table under the heading section."""
    table = report[report.index(section) :].split("\n\n")[0]
    line = next(line for line in table.splitlines() if line.startswith(label + "  "))
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", line[len(label) :])]


async def test_the_demo_fills_the_database_and_reports_what_is_in_it(
    tmp_path: Path, consultation: Consultation, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "demo.sqlite3"
    exit_code = await run_demo(db_path, per_group=PER_GROUP, documents=False)
    report = capsys.readouterr().out

    for heading in (
        "Teilnahme nach Gruppe",
        "Antworten je Umfrage",
        "Problemmeldungen je Handlungsfeld",
        "Eingeladen, aber keine Umfrage abgeschlossen",
        "Prüfung",
    ):
        assert heading in report

    db = await Database.open(db_path)
    try:
        # People of every group, as many as asked for.
        by_group = {row.group_id: row.count for row in await stats.people_by_group(db)}
        assert by_group == {g.id: PER_GROUP for g in consultation.groups}
        for group in consultation.groups:
            assert figures(report, "Teilnahme nach Gruppe", group.title.get("de"))[0] == PER_GROUP

        # Those who refused consent left no row at all.
        simulated = int(re.search(r"Personen simuliert: (\d+)", report)[1])  # type: ignore[index]
        refused = int(re.search(r"abgelehnt: (\d+)", report)[1])  # type: ignore[index]
        assert refused >= 1
        assert simulated == len(consultation.groups) * PER_GROUP + refused
        missing = [
            tid
            for tid in range(FIRST_TELEGRAM_ID, FIRST_TELEGRAM_ID + simulated)
            if await people.by_telegram_id(db, tid) is None
        ]
        assert len(missing) == refused

        # Completed questionnaires, and each report line matches the database.
        progress = await stats.progress(db)
        assert sum(row.completed for row in progress) > 0
        for qn in consultation.questionnaires:
            mine = [r for r in progress if r.questionnaire_id == qn.id]
            expected = [sum(r.started for r in mine), sum(r.completed for r in mine)]
            expected.append(sum(r.answers for r in mine))
            assert figures(report, "Antworten je Umfrage", qn.title.get("de")) == expected, qn.id

        # Problems with "affects us too" votes, per field as printed.
        by_field = await stats.problems_by_field(db)
        assert sum(f.votes for f in by_field) > 0
        for count in by_field:
            field = consultation.action_field(count.action_field)
            assert field is not None
            printed = figures(report, "Problemmeldungen", field.title.get("de"))
            assert printed == [count.problems, count.votes]
            top = await problem_store.open_in_field(db, count.action_field, limit=3)
            assert all(f"  {p.title}" in report for p in top)

        # Invited organisations that stayed silent are listed by name.
        silent = await stats.silent_organisations(db)
        assert any(not org.joined for org in silent)
        assert all(org.name in report for org in silent)
    finally:
        await db.close()

    assert is_demo_database(db_path), "the demo marks its database, so a rerun may replace it"
    for developer_word in ("Zufallszahl", "Handlern", "INFO", "Traceback"):
        assert developer_word not in report
    check = report[report.index("Prüfung") :]
    assert "Unerwartete Fehler im Bot: 0" in check
    # Last, as it fails for every rejected Bot API call: the report above says which.
    assert exit_code == 0, check


@pytest.mark.parametrize("kind", ["real database", "other file"])
async def test_the_demo_never_deletes_a_file_it_did_not_create(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "agenda.sqlite3"
    if kind == "real database":
        db = await Database.open(target)
        await db.close()
    else:
        target.write_text("Adressen der Vereine\n", encoding="utf-8")
    before = target.read_bytes()

    assert await run_demo(target, per_group=1, documents=False) == 2

    assert target.read_bytes() == before
    err = capsys.readouterr().err
    assert str(target) in err and "keine Demo-Datenbank" in err and "--force" in err
