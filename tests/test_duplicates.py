"""Duplicate problem reports: the similarity rule, grouping in the pack, the offer before filing,
and staff merging two reports (chat buttons and CLI), votes and reporters moved, nobody twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.consultation.model import Consultation
from bot.export_sheets import PROBLEM_COLUMNS
from bot.exports import build_export
from bot.packs import build_pack
from bot.similar import alike, best_match, words
from storage import people
from storage import problems as problem_store
from storage.db import Database
from storage.problems import MergeRefused
from tests.conftest import STAFF_ID, START, Harness, onboard, text_of
from tests.test_exports import BERLIN

INTERNET = "Langsames Internet im Gewerbegebiet"
TEXT = "Upload unter 5 Mbit/s: Cloud-Kasse und Videocalls brechen ab."


def test_titles_are_alike_by_a_rule_one_can_check_by_hand() -> None:
    assert words("Langsames Internet im Gewerbegebiet!") == ("langsam", "internet", "gewerbegebiet")
    assert words("Keine Online-Termine im Bürgerbüro") == ("onlin", "termin", "buergerbuero")
    for other in (
        "langsames internet im gewerbegebiet",  # case and punctuation
        "Internet im Gewerbegebiet zu langsam",  # order and small words
        "Langsames Internett im Gewerbegebiet",  # a typo
    ):
        assert alike(INTERNET, other), other
    assert alike("Kein WLAN am Bahnhof", "WLAN am Bahnhof fehlt")
    assert alike("Keine Online-Termine im Bürgerbüro", "Keine Online Termine im Buergerbuero")
    for other in ("Kein Glasfaser im Gewerbegebiet", "Azubis finden uns nicht", "Internet"):
        assert not alike(INTERNET, other), other
    assert not alike("Kein WLAN am Bahnhof", "Kein WLAN im Rathaus")
    # The offer before filing is looser (the person decides), but not loose.
    titles = ["Gewerbeanmeldung nur auf Papier", "Bauantrag: Stand unbekannt"]
    assert best_match("Gewerbeanmeldung nur auf Papier möglich", titles, str) == titles[0]
    assert best_match("Kein WLAN im Rathaus", ["Kein WLAN am Bahnhof"], str) is None


async def _person(bot: Harness, telegram_id: int, name: str, **kwargs: object) -> int:
    await onboard(bot.user(telegram_id), organisation=name, **kwargs)  # type: ignore[arg-type]
    person = await people.by_telegram_id(bot.db, telegram_id)
    assert person is not None
    return person.id


async def _report(db: Database, person: int, title: str, field: str = "handel") -> int:
    draft = await problem_store.start_draft(db, person, field, now=START)
    await problem_store.update_draft(db, draft.id, title=title, description=TEXT)
    await problem_store.submit(db, draft.id, now=START)
    return draft.id


async def test_the_pack_shows_alike_reports_once_with_their_people_counted_once(
    bot: Harness,
) -> None:
    ids = [await _person(bot, 2000 + n, f"Firma {n}") for n in range(6)]
    a, b, c, d, e, f = ids
    first = await _report(bot.db, a, INTERNET)
    second = await _report(bot.db, b, "langsames Internet im Gewerbegebiet!")
    third = await _report(bot.db, c, "Internet im Gewerbegebiet zu langsam")
    other = await _report(bot.db, d, "Azubis finden uns nicht")
    for problem, voter in ((first, d), (first, e), (second, e), (second, f), (third, a)):
        await problem_store.add_vote(bot.db, problem, voter, now=bot.clock())
    await problem_store.add_vote(bot.db, other, e, now=bot.clock())

    pack = await build_pack(bot.db, bot.consultation, "ws-handel", START.date())
    [internet, azubis] = pack.problems
    # d, e and f said "affects us too"; e twice counts once, a reported one of them itself.
    assert (internet.title, internet.reports, internet.votes) == (INTERNET, 3, 3)
    assert (azubis.title, azubis.reports, azubis.votes) == ("Azubis finden uns nicht", 1, 1)
    assert [p.rank for p in pack.problems] == [1, 2]

    from bot.documents.kinds import PACK
    from bot.documents.pipeline import render_html

    html = render_html(PACK, pack)
    assert "3 Meldungen" in html
    assert html.count(INTERNET) == 1


async def test_a_similar_title_is_offered_before_filing_and_joining_it_votes(
    bot: Harness,
) -> None:
    anna_id = await _person(bot, 1001, "Blumen Müller")
    await _report(bot.db, anna_id, INTERNET)
    ben = bot.user(1002)
    await onboard(ben, organisation="Bäckerei Ben")
    await ben.send("/problem")
    await ben.click("Neues Problem melden")
    await ben.click("Einzelhandel / Gewerbe")
    await ben.send("Internet im Gewerbegebiet zu langsam")
    offer = ben.last
    assert "Gibt es schon:" in text_of(offer) and INTERNET in text_of(offer)
    assert offer.button_labels == ["🙋 Ja, betrifft uns auch", "✏️ Nein, anderes Problem"]
    await ben.click("Ja, betrifft uns auch")
    assert "Vermerkt" in text_of(ben.last)
    assert "betrifft jetzt 1 weitere Organisation" in text_of(ben.last)

    [problem] = await problem_store.visible_in_field(bot.db, "handel")
    assert problem.title == INTERNET and problem.votes == 1
    ben_person = await people.by_telegram_id(bot.db, 1002)
    assert ben_person is not None and ben_person.awaiting is None
    assert await problem_store.draft_of(bot.db, ben_person.id) is None
    # The offer's button, pressed again later, changes nothing.
    assert await ben.click_data(f"PB:join:{problem.id}", offer.message_id) is not None
    assert (await problem_store.get(bot.db, problem.id)).votes == 1  # type: ignore[union-attr]


async def test_a_different_problem_is_filed_after_the_offer(bot: Harness) -> None:
    anna_id = await _person(bot, 1001, "Blumen Müller")
    await _report(bot.db, anna_id, "Kein WLAN am Bahnhof")
    ben = bot.user(1002)
    await onboard(ben, organisation="Bäckerei Ben")
    await ben.send("/problem")
    await ben.click("Neues Problem melden")
    await ben.click("Einzelhandel / Gewerbe")
    await ben.send("WLAN am Bahnhof fehlt")
    assert "Gibt es schon:" in text_of(ben.last)
    await ben.click("Nein, anderes Problem")
    assert "Beschreiben Sie das Problem" in text_of(ben.last)
    await ben.send("Am Güterbahnhof, nicht am Personenbahnhof.")
    await ben.click("Ohne Foto absenden")
    assert "Ihre Meldung ist gespeichert" in text_of(ben.last)
    assert len(await problem_store.visible_in_field(bot.db, "handel")) == 2
    # Typing the description straight away works as well; an unlike title gets no offer.
    await ben.send("/problem")
    await ben.click("Neues Problem melden")
    await ben.click("Einzelhandel / Gewerbe")
    await ben.send("Kein WLAN am Bahnhof")
    assert "Gibt es schon:" in text_of(ben.last)
    await ben.send("Auch am Personenbahnhof nicht.")
    assert "Foto" in text_of(ben.last)
    await ben.send("/problem")
    await ben.click("Neues Problem melden")
    await ben.click("Einzelhandel / Gewerbe")
    await ben.send("Parkplätze am Markt")
    assert "Beschreiben Sie das Problem" in text_of(ben.last)


async def test_merging_moves_votes_and_the_reporter_and_counts_nobody_twice(
    bot: Harness,
) -> None:
    a, b, c, d = [await _person(bot, 3000 + n, f"Firma {n}") for n in range(4)]
    keep = await _report(bot.db, a, INTERNET)
    gone = await _report(bot.db, b, "Internet im Gewerbegebiet zu langsam")
    await problem_store.add_vote(bot.db, keep, c, now=bot.clock())
    # c on both: counts once after the merge
    await problem_store.add_vote(bot.db, gone, c, now=bot.clock())
    await problem_store.add_vote(bot.db, gone, d, now=bot.clock())
    # keep's reporter: never a vote on their own
    await problem_store.add_vote(bot.db, gone, a, now=bot.clock())

    merged = await problem_store.merge(bot.db, keep, gone, now=bot.clock())
    assert merged.keep.votes == 3 and merged.added == 2  # c, d and b (gone's reporter)
    for person in (b, c, d):
        assert await problem_store.voted(bot.db, keep, person)
    assert not await problem_store.voted(bot.db, keep, a)
    assert [p.id for p in await problem_store.visible_in_field(bot.db, "handel")] == [keep]
    # The pack counts the merged report as a report of the kept one's line.
    [line] = (await build_pack(bot.db, bot.consultation, "ws-handel", START.date())).problems
    assert (line.reports, line.votes) == (2, 3)
    assert (await problem_store.get(bot.db, gone)).merged_into == keep  # type: ignore[union-attr]
    # Refused: the same report, an already merged one, a report of another field.
    other_field = await _report(bot.db, c, INTERNET, field="verwaltung")
    for k, g, reason in (
        (keep, keep, "same"),
        (keep, gone, "merged"),
        (keep, other_field, "field"),
    ):
        with pytest.raises(MergeRefused) as refused:
            await problem_store.merge(bot.db, k, g, now=bot.clock())
        assert refused.value.reason == reason
    # The export keeps the merged report's row and says where it went.
    export = await build_export(bot.db, bot.consultation, START, BERLIN)
    rows = {row[0]: row for row in export.table("Probleme").rows}
    merged_into = PROBLEM_COLUMNS.index("merged_into")
    assert rows[gone][merged_into] == keep and rows[keep][merged_into] is None
    assert rows[gone][PROBLEM_COLUMNS.index("affects_too")] == 0


async def test_staff_merge_two_reports_with_buttons(bot: Harness) -> None:
    a, b, c = [await _person(bot, 4000 + n, f"Firma {n}") for n in range(3)]
    keep = await _report(bot.db, a, INTERNET)
    gone = await _report(bot.db, b, "Internet im Gewerbegebiet zu langsam")
    await _report(bot.db, c, "Azubis finden uns nicht")
    await problem_store.add_vote(bot.db, gone, c, now=bot.clock())
    staff = bot.user(STAFF_ID, "Sabine")
    await onboard(staff, group="Verwaltung", organisation="Stadt Hagenow")
    # Participants see no merge button.
    someone = bot.user(4000)
    await someone.send("/problem")
    await someone.click("Meldungen anderer ansehen")
    await someone.click("Einzelhandel / Gewerbe")
    assert not [m for m in someone.messages if "Doppelung zusammenführen" in m.button_labels]

    await staff.send("/problem")
    await staff.click("Meldungen anderer ansehen")
    await staff.click("Einzelhandel / Gewerbe")
    card = next(m for m in staff.messages if text_of(m).startswith("Internet im Gewerbegebiet zu"))
    await staff.click("Doppelung zusammenführen", card.message_id)
    pick = staff.last
    assert "in welche Meldung soll sie aufgehen" in text_of(pick)
    # The alike title comes first.
    assert pick.button_labels[0].startswith(f"→ Nr. {keep}: {INTERNET}")
    await staff.click(f"→ Nr. {keep}:", pick.message_id)
    assert "zusammenführen?" in text_of(staff.last)
    await staff.click("Zusammenführen", staff.last.message_id)
    assert f"Nr. {gone} ist jetzt Teil von Nr. {keep}" in text_of(staff.last)
    assert (await problem_store.get(bot.db, keep)).votes == 2  # type: ignore[union-attr]
    # A participant's forged merge button is refused and changes nothing.
    await someone.click_data(f"PM:ok:{keep}:{gone}")
    assert "nur für die Mitarbeitenden" in text_of(someone.last)
    # A vote on the merged report's old card goes to the kept one.
    voter = bot.user(4005)
    await onboard(voter, organisation="Neue Firma")
    assert await voter.click_data(f"PV:{gone}") == "Vermerkt: betrifft 3 Organisationen."


def test_cli_merges_two_reports(
    tmp_path: Path,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "agenda.sqlite3"

    async def prepare() -> tuple[int, int]:
        db = await Database.open(db_path)
        try:
            ids = []
            for n in range(2):
                person = await people.record_consent(db, 5000 + n, "de", "v1", now=START)
                ids.append(await _report(db, person.id, f"{INTERNET}{'!' * n}"))
            return ids[0], ids[1]
        finally:
            await db.close()

    keep, gone = asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["problems", "merge", str(keep), str(gone)]) == 0
    out = capsys.readouterr().out
    assert f"Nr. {gone}" in out and f"Nr. {keep}" in out
    assert main(["problems", "merge", str(keep), str(gone)]) == 1
    assert "schon zusammengeführt" in capsys.readouterr().err
    assert main(["problems", "merge", str(keep), "999"]) == 1
    assert "gibt es nicht" in capsys.readouterr().err
