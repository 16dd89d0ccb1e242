"""Staff broadcasts through the chat: text, segment, preview with the count, confirm, report."""

from __future__ import annotations

from storage import outbox
from tests.conftest import STAFF_ID, Harness
from tests.outbox_support import add_people


async def test_staff_write_pick_a_segment_preview_confirm_and_see_the_report(bot: Harness) -> None:
    shops = await add_people(bot, range(700_001, 700_004), group="retail")
    schools = await add_people(bot, [700_101, 700_102], group="school", fields=("verwaltung",))
    bot.api.block(shops[2])
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/rundschreiben")
    assert "schreiben Sie jetzt den Text" in (staff.last.text or "")
    await staff.send("Workshop <Handel> & Gewerbe: neuer Raum 2.14!")
    labels = staff.buttons()
    assert "Alle (5)" in labels and "Gruppe: Einzelhandel (3)" in labels
    await staff.click("Gruppe: Einzelhandel (3)")
    preview, message = staff.messages[-2:]
    assert "3 Personen" in (preview.text or "")
    assert "Workshop <Handel> & Gewerbe: neuer Raum 2.14!" in (message.text or "")
    assert (await outbox.rows(bot.db, "broadcast")) == []  # nothing before confirming
    await staff.click("✅ An 3 senden")
    assert "geht jetzt an 3 Personen" in (staff.last.text or "")
    dispatch = bot.app.bot_data.dispatcher
    assert dispatch is not None
    await dispatch.wait_idle()  # confirming woke the bot's dispatcher: three chats, no wait
    for chat in shops[:2]:
        assert "neuer Raum 2.14" in (bot.api.sent_to(chat)[-1].text or "")
    assert all(bot.api.sent_to(chat) == [] for chat in schools)
    await staff.click("📊 Zustellbericht")
    report = staff.last.text or ""
    assert "zugestellt: 2" in report and "Bot blockiert: 1" in report
    assert "fehlgeschlagen: 0" in report and "noch offen: 0" in report
    await staff.send("/ausgang")
    assert "Rundschreiben: 0 offen · 2 gesendet · 1 fehlgeschlagen" in (staff.last.text or "")
    assert "blocked" in (staff.last.text or "")


async def test_a_draft_can_be_cancelled_and_typed_text_then_goes_to_the_usual_place(
    bot: Harness,
) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/broadcast")
    await staff.click("✖️ Abbrechen")
    assert "verworfen" in (staff.last.text or "")
    await staff.send("Hallo")  # no draft waits: the normal router answers (consent first)
    assert "verworfen" not in (staff.last.text or "")
    assert await outbox.rows(bot.db, "broadcast") == []


async def test_only_staff_may_broadcast_or_see_the_outbox(bot: Harness) -> None:
    anna = bot.user(700_201)
    await anna.send("/rundschreiben")
    first = anna.last.text or ""
    await anna.send("/ausgang")
    assert "Stadtverwaltung" in first or "staff" in first.lower()
    assert anna.last.text == first
