"""Publishing a draft never puts an older version over a newer one, nor publishes twice."""

from __future__ import annotations

from storage import draft as store
from tests.conftest import STAFF_ID, Harness
from tests.test_draft import DRAFT


async def test_an_old_preview_cannot_publish_over_a_newer_version(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send_document("entwurf-a.yaml", DRAFT.format(n="A").encode())
    preview_a = staff.last
    await staff.send_document("entwurf-b.yaml", DRAFT.format(n="B").encode())
    preview_b = staff.last
    a_button = next(
        b.callback_data for row in preview_a.buttons for b in row if "Veröffentlichen" in b.text
    )
    assert a_button is not None
    await staff.click("Veröffentlichen", preview_b.message_id)
    current = await store.current(bot.db)
    assert current is not None and "Fassung B" in current.title

    await staff.click_data(a_button, preview_a.message_id)

    reply = staff.last.text or ""
    assert "Nicht veröffentlicht" in reply
    assert "neuere Fassung" in reply and "Fassung B" in reply
    current = await store.current(bot.db)
    assert current is not None and "Fassung B" in current.title
    assert [v.title for v in await store.published(bot.db)] == [current.title]


async def test_publishing_the_same_preview_twice_notifies_nobody_again(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send_document("entwurf.yaml", DRAFT.format(n=1).encode())
    preview = staff.last
    button = next(
        b.callback_data for row in preview.buttons for b in row if "Veröffentlichen" in b.text
    )
    assert button is not None
    await staff.click("Veröffentlichen", preview.message_id)
    assert "Veröffentlicht" in (staff.last.text or "")
    await staff.click_data(button, preview.message_id)  # a second tap from another device
    assert "schon veröffentlicht" in (staff.last.text or "")
    assert len(await store.published(bot.db)) == 1
