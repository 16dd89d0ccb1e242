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


async def test_sending_the_published_file_again_offers_nothing_to_publish(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send_document("entwurf.yaml", DRAFT.format(n=1).encode())
    await staff.click("Veröffentlichen", staff.last.message_id)

    async def count(table: str) -> int:
        row = await bot.db.fetchone(f"SELECT count(*) AS n FROM {table}")
        assert row is not None
        return int(row["n"])

    notices = await count("outbox")
    assert notices > 0

    # The same file once more, as Windows saves it: no preview, no button, no second version.
    again = DRAFT.format(n=1).replace("\n", "\r\n").encode()
    await staff.send_document("entwurf-kopie.yaml", again)
    reply = staff.last
    assert "„entwurf-kopie.yaml“ ist gleich der veröffentlichten Fassung" in (reply.text or "")
    assert "niemand wird erneut benachrichtigt" in (reply.text or "")
    assert not reply.buttons
    assert len(await store.published(bot.db)) == 1
    assert await count("draft_versions") == 1
    assert await count("outbox") == notices

    # A changed file gets its preview as before.
    await staff.send_document("entwurf-2.yaml", DRAFT.format(n=2).encode())
    assert any("Veröffentlichen" in b.text for row in staff.last.buttons for b in row)
