"""Data protection: erasure proven by a canary scan of the database file and its WAL, the copy
of one's data, withdrawal that stops what was planned, the privacy notice's version."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

from bot import privacy
from bot import workshops as workshop_plan
from bot.consultation.model import Consultation, Retention
from bot.fake_telegram import FakeUser
from storage import answers, audit, draft, inbox, organisations, outbox, packs, people, problems
from storage import training as training_store
from storage import workshops as seat_store
from storage.draft import NewMeasure
from tests.conftest import Harness, onboard, start_harness, stop_harness, text_of

ANNA, BEN, CARL = 739182645, 548271936, 615283947  # Telegram ids that stand out as text
EVENT = "ws-handel"


def small_event(consultation: Consultation, keep_anonymised: bool = False) -> Consultation:
    """The consultation with one seat at the retail workshop (to see a freed seat move on)."""
    events = [
        e.model_copy(update={"capacity": 1}) if e.id == EVENT else e for e in consultation.events
    ]
    return consultation.model_copy(
        update={"events": events, "retention": Retention(keep_anonymised=keep_anonymised)}
    )


def text_questions(consultation: Consultation) -> list[tuple[str, str]]:
    return [
        (qn.id, q.id)
        for qn in consultation.questionnaires
        for q in qn.questions
        if q.type == "text"
    ]


async def enter_everywhere(bot: Harness, user: FakeUser, tag: str) -> list[str]:
    """The person types a distinct canary into every place that takes their text; returns them."""
    canaries = [f"CANARY-{tag}-ORG"]
    await onboard(user, organisation=canaries[0])
    person = await people.by_telegram_id(bot.db, user.id)
    assert person is not None and person.organisation_id is not None
    now = bot.clock()
    for n, (qn, q) in enumerate(text_questions(bot.consultation)):
        canaries.append(f"CANARY-{tag}-ANSWER{n}")
        await answers.save(bot.db, person.id, qn, q, canaries[-1], now=now)
    report = await problems.start_draft(bot.db, person.id, "handel", now=now)
    canaries += [f"CANARY-{tag}-TITLE", f"CANARY-{tag}-DESCRIPTION", f"CANARY-{tag}-PHOTO"]
    await problems.update_draft(
        bot.db, report.id, title=canaries[-3], description=canaries[-2], photo_file_id=canaries[-1]
    )
    await problems.submit(bot.db, report.id, now=now)
    measure = await _measure(bot)
    canaries.append(f"CANARY-{tag}-COMMENT")
    await draft.comment(bot.db, measure, person.id, canaries[-1], now)
    await draft.rate(bot.db, measure, person.id, "w", 4, now)
    canaries.append(f"CANARY-{tag}-CONTACT")
    await training_store.update_profile(
        bot.db, person.organisation_id, contact=canaries[-1], contact_consent=True, now=now
    )
    canaries.append(f"CANARY-{tag}-OCCUPATION")
    await training_store.save_offer(
        bot.db, person.organisation_id, "handel", 2027, occupation_text=canaries[-1], now=now
    )
    event = bot.consultation.event(EVENT)
    assert event is not None
    await workshop_plan.sign_up(bot.db, bot.consultation, bot.settings, event, person.id, now)
    # An update of theirs still waiting in the inbox keeps its raw JSON.
    canaries.append(f"CANARY-{tag}-INBOX")
    payload = {"update_id": user.id, "message": {"text": canaries[-1], "chat": {"id": user.id}}}
    await inbox.store(
        bot.db, [inbox.Incoming(user.id, f"chat:{user.id}", inbox.dumps(payload))], now
    )
    return canaries


async def _measure(bot: Harness) -> int:
    found = await draft.current(bot.db)
    if found is None:
        version = await draft.create_version(
            bot.db,
            "Entwurf",
            bot.clock() + timedelta(days=30),
            "x",
            None,
            [NewMeasure("m1", "handel", "WLAN", "Freies WLAN", "Ziel", "kurz", "Stadt")],
            bot.clock(),
        )
        await draft.publish(bot.db, version, bot.clock())
        found = await draft.current(bot.db)
    assert found is not None
    return (await draft.measures(bot.db, found.id))[0].id


def scan(db_path: Path) -> bytes:
    """The bytes of the database file and its WAL after a checkpoint and VACUUM."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def raw(db_path: Path) -> bytes:
    """The bytes as they are now, database file and WAL, without any tidying."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_erasing_from_the_chat_leaves_no_trace_in_the_file(
    tmp_path: Path, consultation: Consultation
) -> None:
    bot = await start_harness(tmp_path, small_event(consultation))
    try:
        anna, ben, carl = bot.user(ANNA), bot.user(BEN, "Ben"), bot.user(CARL, "Carl")
        gone = await enter_everywhere(bot, anna, "ANNA")
        kept = await enter_everywhere(bot, ben, "BEN")  # waits: the one seat is Anna's
        await onboard(carl, organisation="Carls Laden")
        waiting = await seat_store.get(bot.db, EVENT, await _id(bot, BEN))
        assert waiting is not None and waiting.status == "waiting"
        before = await counted(bot)

        await anna.send("/loeschen")
        assert "Alle Ihre Daten löschen?" in text_of(anna.last)
        assert "Ihre Problemmeldungen" in text_of(anna.last)
        await anna.click("🗑 Ja, alles löschen")
        done = text_of(anna.last)
        assert "Gelöscht." in done and "Problemmeldung" in done
        assert "Der Bot kennt Sie jetzt nicht mehr" in done

        # Nothing of Anna is left, not even in the bytes of the file or its WAL, while running.
        stored = raw(bot.settings.db_path)
        for canary in [*gone, str(ANNA)]:
            assert canary.encode() not in stored, canary
        # Ben got Anna's seat offered, in the same unit of work.
        ben_row = await seat_store.get(bot.db, EVENT, await _id(bot, BEN))
        assert ben_row is not None and ben_row.status == "offered"
        offers = await outbox.rows(bot.db, workshop_plan.OFFER_KIND)
        assert [r.recipient for r in offers] == [BEN]
        # Aggregates without keep_anonymised: Anna's answers no longer count.
        after = await counted(bot)
        assert before and all(after.get(q, 0) == n - 1 for q, n in before.items())

        # The trail says an erasure happened, not whose (the pseudonym points at nobody now).
        trail = [(e.action, e.actor, e.via) for e in await audit.entries(bot.db)]
        assert trail == [("erase", None, "chat")]
        # Anna is a stranger now: /start begins from nothing.
        await anna.send("/start")
        assert anna.buttons() == ["Deutsch", "English"]
        assert await people.by_telegram_id(bot.db, ANNA) is None
    finally:
        await stop_harness(bot)
    found = scan(bot.settings.db_path)
    for canary in [*gone, str(ANNA)]:
        assert canary.encode() not in found, canary
    for canary in kept:  # Ben's data is untouched
        assert canary.encode() in found, canary


async def counted(bot: Harness) -> dict[str, int]:
    """Given answers per question of the retail status-quo survey."""
    return {
        c.question_id: c.answered for c in await packs.answered_per_question(bot.db, "sq-handel")
    }


async def _id(bot: Harness, telegram_id: int) -> int:
    person = await people.by_telegram_id(bot.db, telegram_id)
    assert person is not None
    return person.id


async def test_keep_anonymised_keeps_the_figures_without_the_person(
    tmp_path: Path, consultation: Consultation
) -> None:
    bot = await start_harness(tmp_path, small_event(consultation, keep_anonymised=True))
    try:
        anna = bot.user(ANNA)
        await enter_everywhere(bot, anna, "ANNA")
        person_id = await _id(bot, ANNA)
        before = await packs.answered_per_question(bot.db, "sq-handel")
        question_ids = [q for qn, q in text_questions(bot.consultation) if qn == "sq-handel"]
        texts_before = await packs.text_answers(bot.db, "sq-handel", question_ids)
        assert texts_before and texts_before[0].organisation == "CANARY-ANNA-ORG"
        await anna.send("/delete")
        await anna.click("🗑 Ja, alles löschen")
        assert "ohne Bezug zu Ihnen" in text_of(anna.last)
        assert await packs.answered_per_question(bot.db, "sq-handel") == before
        texts = await packs.text_answers(bot.db, "sq-handel", question_ids)
        assert sorted(t.text for t in texts) == sorted(t.text for t in texts_before)
        assert {t.organisation for t in texts} == {None} and {t.group_id for t in texts} == {""}
        kept = await bot.db.fetchall("SELECT * FROM kept_answers")
        assert kept and all(len(row["answered_on"]) == 10 for row in kept)  # the day only
        assert await people.by_id(bot.db, person_id) is None
        report = await bot.db.fetchone("SELECT * FROM problems")
        assert report is not None and report["person_id"] is None
        assert report["photo_file_id"] is None
        assert report["submitted_at"].endswith("T00:00:00+00:00")
    finally:
        await stop_harness(bot)
    found = scan(bot.settings.db_path)
    for canary in (
        "CANARY-ANNA-ORG",
        "CANARY-ANNA-CONTACT",
        "CANARY-ANNA-COMMENT",
        "CANARY-ANNA-PHOTO",
        "CANARY-ANNA-INBOX",
        str(ANNA),
    ):
        assert canary.encode() not in found, canary


async def test_an_erased_report_others_were_merged_into_passes_its_place_on(bot: Harness) -> None:
    anna, ben, carl = bot.user(ANNA), bot.user(BEN, "Ben"), bot.user(CARL, "Carl")
    for user in (anna, ben, carl):
        await onboard(user, organisation=f"Org {user.id}")
    now = bot.clock()
    ids = {}
    for tg in (ANNA, BEN):
        report = await problems.start_draft(bot.db, await _id(bot, tg), "handel", now=now)
        await problems.update_draft(bot.db, report.id, title=f"T{tg}", description="d")
        await problems.submit(bot.db, report.id, now=now)
        ids[tg] = report.id
    await problems.add_vote(bot.db, ids[ANNA], await _id(bot, CARL), now=now)
    await problems.merge(bot.db, ids[ANNA], ids[BEN], now=now)  # Ben's report into Anna's
    await anna.send("/loeschen")
    await anna.click("🗑 Ja, alles löschen")
    heir = await problems.get(bot.db, ids[BEN])
    assert heir is not None and heir.visible
    assert heir.votes == 1  # Carl's mark moved over; Ben does not mark his own report
    assert await problems.get(bot.db, ids[ANNA]) is None


async def test_the_copy_of_ones_data_is_a_zip_with_a_page_and_json(bot: Harness) -> None:
    anna = bot.user(ANNA)
    canaries = await enter_everywhere(bot, anna, "ANNA")
    await anna.send("/meinedaten")
    message = anna.last
    assert message.document is not None and message.document.data is not None
    assert message.caption is not None and "daten.html" in message.caption
    archive = zipfile.ZipFile(io.BytesIO(message.document.data))
    assert sorted(archive.namelist()) == ["daten.html", "daten.json"]
    page = archive.read("daten.html").decode()
    document = json.loads(archive.read("daten.json"))
    for canary in canaries:
        if "PHOTO" in canary or "INBOX" in canary:
            continue  # a photo is named as there; a waiting update by its state
        assert canary in page and canary in json.dumps(document, ensure_ascii=False), canary
    processing = document["processing"]
    assert processing["controller"] == bot.consultation.controller
    assert processing["retention_until"] == "2027-12-31"
    assert any("Telegram" in r for r in processing["recipients"])
    assert "Verantwortlich" in page and bot.consultation.contact in page
    assert "eingewilligt am" in page and "Ihre Antworten" in page  # German, not column names
    assert document["data"]["person"][0]["telegram_id"] == ANNA
    # The English command and the profile button give the same.
    await anna.send("/mydata")
    assert anna.last.document is not None


async def test_withdrawal_stops_a_planned_reminder_and_broadcast(bot: Harness) -> None:
    anna, ben = bot.user(ANNA), bot.user(BEN, "Ben")
    await onboard(anna)
    await onboard(ben)
    now = bot.clock()
    for tg in (ANNA, BEN):
        await outbox.enqueue(
            bot.db,
            recipient=tg,
            kind="reminder",
            payload={"questionnaire": "sq-handel"},
            due_at=now + timedelta(days=1),
            dedupe_key=f"r:{tg}",
            now=now,
        )
        await outbox.enqueue(
            bot.db,
            recipient=tg,
            kind="broadcast",
            payload={"broadcast": 1},
            due_at=now,
            dedupe_key=f"b:{tg}",
            now=now,
        )
    await anna.send("/widerruf")
    assert "Einwilligung widerrufen" in text_of(anna.last)
    assert "🗑 Meine Daten löschen" in anna.buttons()
    rows = {r.dedupe_key: r for r in await outbox.rows(bot.db)}
    assert rows[f"r:{ANNA}"].status == rows[f"b:{ANNA}"].status == "dropped"
    assert rows[f"r:{BEN}"].status == rows[f"b:{BEN}"].status == "pending"
    withdrawn = await people.by_telegram_id(bot.db, ANNA)
    assert withdrawn is not None and withdrawn.withdrawn
    assert not withdrawn.may_be_named  # her naming consent went with her consent
    assert await people.withdrawn_at(bot.db, ANNA) == "2026-12-01T09:00:00+00:00"
    # A row planned after the withdrawal (a planner that ran meanwhile) is dropped unsent.
    await outbox.enqueue(
        bot.db,
        recipient=ANNA,
        kind="broadcast",
        payload={"broadcast": 2},
        due_at=now,
        dedupe_key="b2",
        now=now,
    )
    assert bot.app.bot_data.dispatcher is not None
    sent_before = len(bot.api.sent_to(ANNA))
    await bot.app.bot_data.dispatcher.run()
    assert len(bot.api.sent_to(ANNA)) == sent_before
    assert (await outbox.by_key(bot.db, "b2")).status == "dropped"  # type: ignore[union-attr]
    # The bot treats her as a stranger: typing asks for consent again, nothing is stored.
    await anna.send("/umfrage")
    assert anna.buttons() == ["Deutsch", "English"]
    # Consenting again lifts the withdrawal.
    await anna.click("Deutsch")
    await anna.click("Einverstanden")
    again = await people.by_telegram_id(bot.db, ANNA)
    assert again is not None and not again.withdrawn


async def test_a_changed_privacy_notice_asks_again(
    tmp_path: Path, consultation: Consultation
) -> None:
    bot = await start_harness(tmp_path, consultation)
    anna = bot.user(ANNA)
    await onboard(anna)
    await stop_harness(bot)
    changed = consultation.model_copy(update={"consent_version": "2027-01-15"})
    bot = await start_harness(tmp_path, changed)
    try:
        anna = bot.user(ANNA)
        await anna.send("/start")
        assert "Datenschutzhinweise haben sich geändert" in text_of(anna.messages[-2])
        await anna.click("Deutsch")
        assert "2027-01-15" in text_of(anna.last) and "außerhalb der EU" in text_of(anna.last)
        await anna.click("Einverstanden")
        person = await people.by_telegram_id(bot.db, ANNA)
        assert person is not None and person.consent_version == "2027-01-15"
        assert person.onboarded  # the profile stayed
    finally:
        await stop_harness(bot)


async def test_nothing_stored_is_said_plainly(bot: Harness) -> None:
    stranger = bot.user(ANNA)
    for command in ("/loeschen", "/meinedaten", "/widerruf"):
        await stranger.send(command)
        assert "nichts gespeichert" in text_of(stranger.last)
    assert await people.by_telegram_id(bot.db, ANNA) is None


async def test_purge_after_the_date_erases_everyone_and_keeps_the_figures(
    tmp_path: Path, consultation: Consultation
) -> None:
    bot = await start_harness(tmp_path, consultation)
    try:
        gone = await enter_everywhere(bot, bot.user(ANNA), "ANNA")
        gone += await enter_everywhere(bot, bot.user(BEN, "Ben"), "BEN")
        invited = await organisations.upsert_invited(
            bot.db, "Autohaus Schulz", "firm", "CANARY-TOWN-CONTACT", "tok_abc", now=bot.clock()
        )
        assert bot.app.job_queue is not None
        assert bot.app.job_queue.get_jobs_by_name(privacy.PURGE_JOB), "the daily check runs"
        bot.clock.now = bot.clock.now.replace(year=2027, month=12, day=31, hour=22)
        assert await privacy.purge_if_due(bot.services) is None  # the last day, in Hagenow
        bot.clock.now = bot.clock.now.replace(year=2027, month=12, day=31, hour=23, minute=1)
        done = await privacy.purge_if_due(bot.services)
        assert done is not None and done.people == 2
        assert await privacy.purge_if_due(bot.services) is None  # once is enough
        assert await organisations.by_id(bot.db, invited.id) is not None  # the town's list
    finally:
        await stop_harness(bot)
    found = scan(bot.settings.db_path)
    for canary in [*gone, str(ANNA), str(BEN), "CANARY-TOWN-CONTACT"]:
        assert canary.encode() not in found, canary


# The privacy notice people agreed to, per consent_version: change the notice (its template or
# the file's controller, contact, date) and raise consent_version, so people are asked again.
NOTICE_FINGERPRINTS = {"2026-12-02": "2c6216efb927da60"}


def test_the_privacy_notice_cannot_change_without_a_new_version(
    consultation: Consultation,
) -> None:
    import hashlib

    from bot.texts import Texts

    texts = Texts()
    rendered = "".join(
        texts.render(
            lang, "privacy_notice", consultation=consultation, title=consultation.title.get(lang)
        )
        for lang in ("de", "en")
    )
    fingerprint = hashlib.sha256(rendered.encode()).hexdigest()[:16]
    assert NOTICE_FINGERPRINTS.get(consultation.consent_version) == fingerprint, (
        f"the privacy notice changed: raise consent_version in the consultation file and pin "
        f"{consultation.consent_version!r}: {fingerprint!r} here"
    )
    for lang in ("de", "en"):
        notice = texts.render(lang, "privacy_notice", consultation=consultation, title="")
        for part in (
            consultation.controller,
            consultation.contact,
            consultation.consent_version,
            "Telegram",
        ):
            assert part in notice


async def test_profile_and_help_offer_the_same_three_buttons(bot: Harness) -> None:
    anna, eve = bot.user(ANNA), bot.user(BEN, "Eve", language_code="en")
    await onboard(anna)
    await anna.send("/profil")
    assert {"📄 Meine Daten", "Einwilligung widerrufen", "🗑 Meine Daten löschen"} <= set(
        anna.buttons()
    )
    await anna.click("🗑 Meine Daten löschen")
    assert "Alle Ihre Daten löschen?" in text_of(anna.last)
    await anna.click("Nein, behalten")
    assert "Nichts gelöscht" in text_of(anna.last)
    assert await people.by_telegram_id(bot.db, ANNA) is not None
    await anna.send("/hilfe")
    assert "/loeschen" in text_of(anna.last) and "/meinedaten" in text_of(anna.last)
    await anna.click("📄 Meine Daten")
    assert anna.last.document is not None
    await onboard(
        eve,
        group="University",
        organisation="Hochschule Wismar",
        fields=("Administration",),
        language="English",
    )
    await eve.send("/help")
    assert "/delete" in text_of(eve.last) and "🗑 Delete my data" in eve.buttons()
    await eve.click("🗑 Delete my data")
    assert "Delete all your data?" in text_of(eve.last)
    await eve.click("🗑 Yes, delete everything")
    assert "The bot no longer knows you" in text_of(eve.last)
    await eve.click_data("PD:yes")  # the old button again: nothing to erase, said plainly
    assert "Nothing is stored about you" in text_of(eve.last)


# Column names that say "this names a person, a chat or typed text" (checked against the map).
PERSONAL_NAMES = re.compile(
    r"(person|telegram|chat|recipient|staff|actor|contact|organisation)(_id|_key)?$"
    r"|_by$|^(text|title|description|value|name|payload|subject|occupation_text)$|file_id$"
)


async def test_every_column_naming_a_person_is_handled_by_the_erasure(bot: Harness) -> None:
    """A new table or column that can hold a person's data fails here until storage/erasure.py
    says what happens to it (PERSONAL_COLUMNS)."""
    from storage.erasure import PERSONAL_COLUMNS

    missing = []
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    for table in await bot.db.fetchall(tables):  # sqlite_sequence: SQLite's own, table names
        name = table["name"]
        columns = await bot.db.fetchall(f"PRAGMA table_info({name})")
        keys = await bot.db.fetchall(f"PRAGMA foreign_key_list({name})")
        pointing = {k["from"] for k in keys if k["table"] in ("people", "organisations")}
        for column in columns:
            col = column["name"]
            named = col in pointing or PERSONAL_NAMES.search(col)
            if named and col not in PERSONAL_COLUMNS.get(name, {}):
                missing.append(f"{name}.{col}")
    assert not missing, f"storage/erasure.py PERSONAL_COLUMNS: say how these go: {missing}"
