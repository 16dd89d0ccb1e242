"""An invitation link belongs to one organisation: its first user is the contact, a forwarded
link makes nobody else the organisation until the contact (or staff) confirms them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.fake_telegram import FakeUser
from storage import audit, members, organisations, people
from storage.db import Database
from tests.conftest import START, Harness

TOKEN = "tok_ABCdef123456"


async def _invite(bot: Harness) -> organisations.Organisation:
    return await organisations.upsert_invited(
        bot.db, "Autohaus Schulz", "firm", "info@example.org", TOKEN, now=bot.clock()
    )


async def _join(user: FakeUser, token: str = TOKEN) -> None:
    await user.send(f"/start {token}")
    await user.click("Deutsch")
    await user.click("Einverstanden")


async def _idle(bot: Harness) -> None:
    dispatcher = bot.app.bot_data.dispatcher
    assert dispatcher is not None
    await dispatcher.wait_idle()


async def test_a_forwarded_link_makes_nobody_else_the_organisation_until_confirmed(
    bot: Harness,
) -> None:
    org = await _invite(bot)
    carl, eve = bot.user(1004, "Carl"), bot.user(1010, "Eve")
    await _join(carl)
    await carl.click("Verwaltung")
    await carl.click("Fertig")
    await carl.click("Nein, nur als Gruppe")
    carl_person = await people.by_telegram_id(bot.db, 1004)
    assert carl_person is not None and carl_person.organisation_id == org.id

    # Eve got the forwarded link: she waits, and is not the organisation.
    await _join(eve)
    assert "macht schon jemand mit" in (eve.last.text or "")
    assert sum("macht schon jemand mit" in (m.text or "") for m in eve.messages) == 1
    assert "Ohne diese Organisation mitmachen" in eve.buttons()
    stranger = await people.by_telegram_id(bot.db, 1010)
    assert stranger is not None and stranger.organisation_id is None
    # She cannot switch the naming consent, neither with the profile nor a forged button.
    await eve.send("/profil")
    assert "macht schon jemand mit" in (eve.last.text or "")
    await eve.click_data("N:y")
    found = await organisations.by_id(bot.db, org.id)
    assert found is not None and not found.may_be_named
    # Carl, the contact, is asked through the outbox and confirms her.
    await _idle(bot)
    request = carl.last
    assert "Einladungslink von <b>Autohaus Schulz</b>" in (request.html or request.text or "")
    assert request.button_labels == ["✅ Bestätigen", "✖️ Ablehnen"]
    await eve.click_data(f"IR:ok:{stranger.id}")  # not hers to confirm
    assert await members.request_of(bot.db, stranger.id) is not None
    await carl.click("✅ Bestätigen")
    assert "Bestätigt" in (carl.last.text or "")
    await _idle(bot)
    assert "Sie sind bestätigt" in (eve.last.text or "")
    member = await people.by_telegram_id(bot.db, 1010)
    assert member is not None and member.organisation_id == org.id and member.group_id == "firm"
    # A confirmed member still does not decide the naming: only the contact does.
    await eve.send("/start")
    await eve.click("Verwaltung")
    await eve.click("Fertig")
    assert "Nein, nur als Gruppe" not in eve.buttons()
    await eve.send("/profil")
    assert "Namensnennung ändern" not in eve.buttons()
    await eve.click_data("N:y")
    assert "entscheidet die Kontaktperson" in (eve.last.text or "")
    found = await organisations.by_id(bot.db, org.id)
    assert found is not None and not found.may_be_named
    await carl.send("/profil")
    assert "Namensnennung ändern" in carl.buttons()


async def test_the_contact_refuses_and_the_person_goes_on_alone(bot: Harness) -> None:
    org = await _invite(bot)
    carl, eve = bot.user(1004, "Carl"), bot.user(1010, "Eve")
    await _join(carl)
    await _join(eve)
    await _idle(bot)
    await carl.click("✖️ Ablehnen")
    await _idle(bot)
    assert "nicht bestätigt" in (eve.last.text or "")
    stranger = await people.by_telegram_id(bot.db, 1010)
    assert stranger is not None and stranger.organisation_id is None
    assert await members.request_of(bot.db, stranger.id) is None
    # Another waiting person takes part without the organisation.
    olga = bot.user(1011, "Olga")
    await _join(olga)
    await olga.click("Ohne diese Organisation mitmachen")
    assert "Gruppe" in (olga.last.text or "") or olga.buttons()
    person = await people.by_telegram_id(bot.db, 1011)
    assert person is not None and person.organisation_id is None
    assert await members.request_of(bot.db, person.id) is None
    assert [b.waiting for b in await members.bindings(bot.db)] == [()]
    assert (await organisations.by_id(bot.db, org.id)).contact_person is not None  # type: ignore[union-attr]


def test_cli_lists_revokes_and_reissues_and_confirms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "agenda.sqlite3"

    async def prepare() -> int:
        db = await Database.open(db_path)
        try:
            await organisations.upsert_invited(
                db, "Autohaus Schulz", "firm", None, TOKEN, now=START
            )
            for telegram_id in (1004, 1010):
                person = await people.record_consent(db, telegram_id, "de", "v1", now=START)
                await members.redeem(db, person.id, TOKEN, now=START)
            return person.id
        finally:
            await db.close()

    waiting = asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["invite", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("\t") == [
        "1",
        "Autohaus Schulz",
        "firm",
        "P0001",
        "–",
        f"P{waiting:04d}",
        "0",
    ]
    assert main(["invite", "confirm", f"P{waiting:04d}"]) == 0
    assert main(["invite", "confirm", f"P{waiting:04d}"]) == 1  # nobody waits any more
    assert main(["invite", "reissue", "autohaus schulz", "--bot", "agenda_bot"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/agenda_bot?start=" in out and TOKEN not in out
    assert main(["invite", "revoke", "1"]) == 0
    assert main(["invite", "revoke", "Nobody GmbH"]) == 1
    assert main(["invite", "list"]) == 0
    row = capsys.readouterr().out.splitlines()[-1].split("\t")
    assert row[3:] == ["P0001", f"P{waiting:04d}", "–", "2"]

    async def check() -> None:
        db = await Database.open(db_path)
        try:
            old = await members.link(db, TOKEN)
            assert old is not None and old.outcome == "revoked"
            entries = await audit.entries(db)
            assert [(e.action, e.subject, e.actor) for e in entries] == [
                ("invite_confirm", "organisation:1", None),
                ("invite_reissue", "organisation:1", None),
                ("invite_revoke", "organisation:1", None),
            ]
        finally:
            await db.close()

    asyncio.run(check())


async def test_an_old_link_is_answered_with_a_clear_note(bot: Harness) -> None:
    org = await _invite(bot)
    await members.replace_token(bot.db, org.id, "tok_new000000001", now=bot.clock())
    dana = bot.user(1005)
    await dana.send(f"/start {TOKEN}")
    assert "gilt nicht mehr" in (dana.messages[0].text or "")
    assert dana.buttons() == ["Deutsch", "English"]
    await dana.click("Deutsch")
    await dana.click("Einverstanden")
    person = await people.by_telegram_id(bot.db, 1005)
    assert person is not None and person.organisation_id is None
    await _join(bot.user(1006), "tok_new000000001")
    newcomer = await people.by_telegram_id(bot.db, 1006)
    assert newcomer is not None and newcomer.organisation_id == org.id


async def test_erasing_the_contact_or_a_waiting_person_leaves_no_link_to_them(
    bot: Harness,
) -> None:
    from bot import privacy

    org = await _invite(bot)
    carl, eve = bot.user(1004, "Carl"), bot.user(1010, "Eve")
    await _join(carl)
    await _join(eve)
    contact = await people.by_telegram_id(bot.db, 1004)
    waiting = await people.by_telegram_id(bot.db, 1010)
    assert contact is not None and waiting is not None
    for person in (waiting, contact):
        await privacy.erase(bot.db, bot.consultation, bot.settings, person.id, bot.clock())
    found = await organisations.by_id(bot.db, org.id)
    assert found is not None and found.contact_person is None
    assert await members.bindings(bot.db) == [members.Binding(found, (), (), 0)]
    # The next person to open the link speaks for the organisation.
    await _join(bot.user(1020, "Nora"))
    nora = await people.by_telegram_id(bot.db, 1020)
    assert nora is not None and nora.organisation_id == org.id
    assert await members.is_contact(bot.db, nora.id, org.id)
