"""The automatic digest: planned in the outbox, sent once per recipient, across restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import digests
from bot.app import build_application
from bot.consultation.model import Consultation
from bot.digests import plan_digests
from bot.documents.pipeline import DocumentKind, Rendered, render_in_worker
from bot.documents.worker import RenderPool, RenderTimeout
from bot.fake_telegram import ChatMessage, FakeBotApi, FakeRequest
from bot.outbox import dispatch as outbox_dispatch
from bot.outbox import kinds as outbox_kinds
from bot.pack_context import PackContext
from bot.texts import Texts
from storage import outbox, outbox_sending
from tests.conftest import (
    STAFF_ID,
    FakeClock,
    Harness,
    VirtualTime,
    make_settings,
    paced,
    stop_harness,
)
from tests.outbox_support import on_time

GROUP = -1001234567890  # the staff group (AGENDA_STAFF_CHAT)
# ws-handel: 2027-03-17 18:30-21:30 Europe/Berlin (CET) = 17:30-20:30 UTC.
HANDEL_DUE = datetime(2027, 3, 15, 17, 30, tzinfo=UTC)
HANDEL_STARTS = datetime(2027, 3, 17, 17, 30, tzinfo=UTC)
HANDEL_ENDS = datetime(2027, 3, 17, 20, 30, tzinfo=UTC)
PLANNED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATE = "verspätet"


async def start(
    tmp_path: Path,
    consultation: Consultation,
    now: datetime = PLANNED_AT,
    api: FakeBotApi | None = None,
    staff_chat: str = str(GROUP),
    **env: str,
) -> Harness:
    """Start the bot at `now` (post_init: reconcile, plan, schedule); same api = same Telegram."""
    if api is None:
        api = FakeBotApi()
        api.add_chat(STAFF_ID, "Sabine")
        api.add_chat(GROUP, "Wirtschaftsförderung")
    settings = make_settings(tmp_path, api, AGENDA_STAFF_CHAT=staff_chat, **env)
    clock = FakeClock(now)
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        traffic=paced(api),
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return Harness(api, app, clock, settings, consultation)


@pytest.fixture
async def staff_bot(tmp_path: Path, consultation: Consultation) -> AsyncIterator[Harness]:
    harness = await start(tmp_path, consultation)
    yield harness
    await stop_harness(harness)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A fast stand-in for the worker render; the workshops rendered, in order."""
    rendered: list[str] = []

    async def fake_render(pool: object, kind: object, ctx: PackContext) -> Rendered:
        rendered.append(ctx.workshop_id)
        return Rendered(f"<h1>{ctx.title}</h1>", b"%PDF-1.4 " + ctx.workshop_id.encode())

    monkeypatch.setattr(digests, "render_in_worker", fake_render)
    return rendered


@dataclass
class DigestRun:
    """What one run of the dispatcher did with the digest rows."""

    sent: int
    failed: int  # blocked chats included
    retry: int
    dropped: int


async def dispatch_due(bot: Harness) -> DigestRun:
    """One run of the outbox dispatcher over the digest rows, on virtual time (a 429's pause
    costs nothing), with the digest's policy from the registry."""
    kinds = {digests.KIND: outbox_kinds.policies()[digests.KIND]}
    report = await on_time(bot, VirtualTime(), kinds).run()
    return DigestRun(report.sent, report.failed + report.blocked, report.retried, report.dropped)


def documents(bot: Harness, chat: int) -> list[ChatMessage]:
    return [m for m in bot.api.chat(chat) if m.document is not None]


def names(messages: list[ChatMessage]) -> list[str | None]:
    return [m.document.file_name if m.document else None for m in messages]


async def statuses(bot: Harness) -> dict[str, str]:
    return {row.dedupe_key: row.status for row in await outbox.rows(bot.db, "digest")}


async def test_planning_makes_one_row_per_workshop_and_recipient(staff_bot: Harness) -> None:
    bot = staff_bot
    rows = await outbox.rows(bot.db, "digest")
    assert len(rows) == 3 * 2
    assert {(r.payload["workshop"], r.recipient) for r in rows} == {
        (w, chat)
        for w in ("ws-verwaltung", "ws-tourismus", "ws-handel")
        for chat in (STAFF_ID, GROUP)
    }
    handel = await outbox.by_key(bot.db, f"digest:ws-handel:{GROUP}")
    assert handel is not None
    assert handel.due_at == HANDEL_DUE  # 48 h before 2027-03-17 18:30 Europe/Berlin
    assert handel.valid_until == HANDEL_ENDS
    assert (handel.kind, dict(handel.payload), handel.status) == (
        "digest",
        {"workshop": "ws-handel"},
        "pending",
    )
    assert (handel.attempts, handel.last_error, handel.sent_at) == (0, None, None)
    # ws-verwaltung: 2027-02-17 14:00 CET -> due 2027-02-15 13:00 UTC.
    verwaltung = await outbox.by_key(bot.db, f"digest:ws-verwaltung:{STAFF_ID}")
    assert verwaltung is not None and verwaltung.due_at == datetime(2027, 2, 15, 13, tzinfo=UTC)
    # Planning again (every start does) adds nothing.
    await plan_digests(bot.db, bot.consultation, bot.settings, bot.clock())
    assert len(await outbox.rows(bot.db, "digest")) == 6


async def test_at_due_time_staff_and_group_get_pdf_and_html_once(
    staff_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real render (one workshop, once for both recipients)."""
    bot = staff_bot
    real_render = render_in_worker
    rendered: list[str] = []

    async def counting_render(
        pool: RenderPool, kind: DocumentKind[PackContext], ctx: PackContext
    ) -> Rendered:
        rendered.append(ctx.workshop_id)
        return await real_render(pool, kind, ctx)

    monkeypatch.setattr(digests, "render_in_worker", counting_render)
    bot.clock.now = HANDEL_DUE - timedelta(minutes=1)
    report = await dispatch_due(bot)
    assert (report.sent, rendered) == (0, [])
    # The two earlier workshops are over by now: dropped, not sent late.
    assert report.dropped == 4
    assert not documents(bot, STAFF_ID) and not documents(bot, GROUP)

    bot.clock.now = HANDEL_DUE
    report = await dispatch_due(bot)
    assert (report.sent, report.failed, report.retry) == (2, 0, 0)
    assert rendered == ["ws-handel"]
    for chat in (STAFF_ID, GROUP):
        pdf, html = documents(bot, chat)
        assert names([pdf, html]) == ["ws-handel.pdf", "ws-handel.html"]
        assert pdf.document is not None and pdf.document.data is not None
        assert pdf.document.data.startswith(b"%PDF")
        assert html.document is not None and html.document.data is not None
        assert b"Workshop Einzelhandel / Gewerbe" in html.document.data
        assert pdf.caption is not None and LATE not in pdf.caption
        assert "Workshop Einzelhandel / Gewerbe am 17.03.2027 um 18:30 Uhr" in pdf.caption
        assert "PDF zum Drucken" in pdf.caption and "HTML" in (html.caption or "")

    bot.clock.advance(minutes=5)
    report = await dispatch_due(bot)
    assert (report.sent, rendered) == (0, ["ws-handel"])
    assert len(documents(bot, STAFF_ID)) == len(documents(bot, GROUP)) == 2
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{STAFF_ID}")
    assert row is not None and row.status == "sent" and row.sent_at == HANDEL_DUE


@pytest.mark.parametrize(
    ("back_at", "late"),
    [(HANDEL_DUE + timedelta(hours=20), False), (HANDEL_STARTS + timedelta(minutes=40), True)],
)
async def test_due_while_down_goes_out_once_after_restart(
    tmp_path: Path,
    consultation: Consultation,
    renders: list[str],
    back_at: datetime,
    late: bool,
) -> None:
    first = await start(tmp_path, consultation)
    await stop_harness(first)  # the bot is down when the digest falls due
    bot = await start(tmp_path, consultation, back_at, api=first.api)
    try:
        report = await dispatch_due(bot)
        assert report.sent == 2 and renders == ["ws-handel"]
        for chat in (STAFF_ID, GROUP):
            pdf, html = documents(bot, chat)
            assert (LATE in (pdf.caption or ""), LATE in (html.caption or "")) == (late, late)
        if late:
            assert "Der Workshop hat schon begonnen (17.03.2027, 18:30 Uhr)" in (pdf.caption or "")
        assert (await dispatch_due(bot)).sent == 0
    finally:
        await stop_harness(bot)
    again = await start(tmp_path, consultation, back_at + timedelta(minutes=10), api=first.api)
    try:
        assert (await dispatch_due(again)).sent == 0
        assert len(documents(again, STAFF_ID)) == len(documents(again, GROUP)) == 2
    finally:
        await stop_harness(again)


async def test_a_row_left_sending_by_a_crash_is_not_sent_again(
    tmp_path: Path, consultation: Consultation, renders: list[str]
) -> None:
    bot = await start(tmp_path, consultation, HANDEL_DUE)
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{STAFF_ID}")
    assert row is not None
    # The dispatcher marked the row, then the process died before (or while) sending.
    assert await outbox_sending.mark_sending(bot.db, row.id)
    await stop_harness(bot)

    bot = await start(tmp_path, consultation, HANDEL_DUE + timedelta(minutes=3), api=bot.api)
    try:
        after = await outbox.by_key(bot.db, row.dedupe_key)
        assert after is not None and after.status == "sent"
        assert after.last_error == digests.NOTE_RECONCILED and after.sent_at is None
        report = await dispatch_due(bot)
        assert report.sent == 1
        assert documents(bot, STAFF_ID) == []  # never a second (here: a first) copy
        assert names(documents(bot, GROUP)) == ["ws-handel.pdf", "ws-handel.html"]
    finally:
        await stop_harness(bot)


async def test_after_the_workshop_ended_a_pending_digest_is_dropped(
    tmp_path: Path, consultation: Consultation, renders: list[str]
) -> None:
    first = await start(tmp_path, consultation)
    await stop_harness(first)
    bot = await start(tmp_path, consultation, HANDEL_ENDS + timedelta(minutes=1), api=first.api)
    try:
        report = await dispatch_due(bot)
        assert (report.sent, report.dropped, renders) == (0, 6, [])
        assert set((await statuses(bot)).values()) == {"dropped"}
        row = await outbox.by_key(bot.db, f"digest:ws-handel:{GROUP}")
        assert row is not None and row.last_error == digests.NOTE_OVER
        assert not documents(bot, STAFF_ID) and not documents(bot, GROUP)
    finally:
        await stop_harness(bot)


async def test_forbidden_for_one_recipient_fails_that_row_and_the_other_still_gets_it(
    staff_bot: Harness, renders: list[str]
) -> None:
    bot = staff_bot
    bot.api.fail_next(
        "sendDocument", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=GROUP
    )
    bot.clock.now = HANDEL_DUE
    report = await dispatch_due(bot)
    assert (report.sent, report.failed) == (1, 1)
    assert names(documents(bot, STAFF_ID)) == ["ws-handel.pdf", "ws-handel.html"]
    assert documents(bot, GROUP) == []
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{GROUP}")
    assert row is not None and row.status == "failed" and row.attempts == 1
    assert row.last_error is not None and "Forbidden" in row.last_error
    # Not retried: blocked stays blocked until someone fixes it.
    bot.clock.advance(minutes=5)
    assert (await dispatch_due(bot)).sent == 0
    assert documents(bot, GROUP) == []


async def test_retry_after_pauses_every_send_and_then_delivers_each_once(
    staff_bot: Harness, renders: list[str]
) -> None:
    """The one dispatcher's limiter: a 429 pauses all sends for the time Telegram names, then
    the row goes out in the same run (before, the digest loop gave up until its next run)."""
    bot = staff_bot
    bot.api.fail_next("sendDocument", 429, chat_id=STAFF_ID)
    bot.clock.now = HANDEL_DUE
    report = await dispatch_due(bot)
    assert (report.sent, report.retry) == (2, 1)
    for chat in (STAFF_ID, GROUP):
        assert names(documents(bot, chat)) == ["ws-handel.pdf", "ws-handel.html"]
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{STAFF_ID}")
    assert row is not None and (row.status, row.attempts) == ("sent", 0)
    assert renders == ["ws-handel"]  # rendered once for both chats, the retry included
    bot.clock.advance(minutes=5)
    assert (await dispatch_due(bot)).sent == 0


async def test_a_network_error_after_the_pdf_resends_only_the_html(
    staff_bot: Harness, renders: list[str]
) -> None:
    bot = staff_bot
    bot.clock.now = HANDEL_DUE
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{GROUP}")
    assert row is not None
    # As _deliver records it when the PDF went out and the HTML hit a timeout.
    await outbox_sending.mark_sending(bot.db, row.id)
    status = await outbox_sending.mark_failed(
        bot.db,
        row.id,
        "TimedOut: Timed out",
        retry=True,
        payload={"workshop": "ws-handel", "sent_parts": ["pdf"]},
    )
    assert status == "pending"
    await dispatch_due(bot)
    assert names(documents(bot, GROUP)) == ["ws-handel.html"]
    assert names(documents(bot, STAFF_ID)) == ["ws-handel.pdf", "ws-handel.html"]


async def test_a_render_timeout_leaves_the_rows_pending_for_the_next_run(
    staff_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def too_slow(pool: object, kind: object, ctx: PackContext) -> Rendered:
        raise RenderTimeout(f"pack {ctx.workshop_id} not rendered within 120 s")

    monkeypatch.setattr(digests, "render_in_worker", too_slow)
    bot = staff_bot
    bot.clock.now = HANDEL_DUE
    report = await dispatch_due(bot)
    assert (report.sent, report.retry) == (0, 2)
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{GROUP}")
    assert row is not None and (row.status, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "not rendered" in row.last_error
    assert not documents(bot, STAFF_ID) and not documents(bot, GROUP)


async def test_passing_errors_give_up_after_max_attempts(staff_bot: Harness) -> None:
    bot = staff_bot
    row = await outbox.by_key(bot.db, f"digest:ws-handel:{STAFF_ID}")
    assert row is not None
    results = [
        await outbox_sending.mark_failed(bot.db, row.id, "NetworkError: down", retry=True)
        for _ in range(outbox_sending.MAX_ATTEMPTS)
    ]
    assert results == ["pending"] * (outbox_sending.MAX_ATTEMPTS - 1) + ["failed"]


async def test_a_lead_of_36h_shifts_the_due_time(
    tmp_path: Path, consultation: Consultation, renders: list[str]
) -> None:
    bot = await start(tmp_path, consultation, AGENDA_DIGEST_LEAD="36h")
    try:
        row = await outbox.by_key(bot.db, f"digest:ws-handel:{STAFF_ID}")
        assert row is not None and row.due_at == HANDEL_STARTS - timedelta(hours=36)
        bot.clock.now = HANDEL_DUE  # 48 h before: too early now
        assert (await dispatch_due(bot)).sent == 0
        bot.clock.now = datetime(2027, 3, 16, 5, 30, tzinfo=UTC)
        assert (await dispatch_due(bot)).sent == 2
    finally:
        await stop_harness(bot)


async def test_a_changed_plan_moves_pending_rows_and_drops_removed_recipients(
    tmp_path: Path, consultation: Consultation
) -> None:
    first = await start(tmp_path, consultation)
    await stop_harness(first)
    # Restarted with a shorter lead and without the staff group.
    bot = await start(tmp_path, consultation, api=first.api, staff_chat="", AGENDA_DIGEST_LEAD="1d")
    try:
        rows = {r.dedupe_key: r for r in await outbox.rows(bot.db, "digest")}
        assert len(rows) == 6
        assert rows[f"digest:ws-handel:{STAFF_ID}"].due_at == HANDEL_STARTS - timedelta(days=1)
        removed = rows[f"digest:ws-handel:{GROUP}"]
        assert (removed.status, removed.last_error) == ("dropped", digests.NOTE_UNPLANNED)
    finally:
        await stop_harness(bot)


async def test_digests_go_through_the_one_dispatcher_whose_job_is_scheduled_once(
    staff_bot: Harness,
) -> None:
    app = staff_bot.app
    await app.start()
    try:
        assert app.job_queue is not None
        await digests.start_digests(app)  # a second start adds no job of its own
        assert not [j for j in app.job_queue.jobs() if "digest" in (j.name or "")]
        [job] = app.job_queue.get_jobs_by_name(outbox_dispatch.JOB_NAME)
        assert job.job.trigger.interval == timedelta(seconds=outbox_dispatch.DISPATCH_INTERVAL)
        assert job.next_t is not None
        dispatcher = app.bot_data.dispatcher
        assert dispatcher is not None and digests.KIND in dispatcher.kinds
    finally:
        await app.stop()


def test_the_late_line_reads_well_in_both_languages() -> None:
    texts = Texts()
    starts = datetime(2027, 3, 17, 18, 30)
    for lang, line in (("de", "verspätet:"), ("en", "late:")):
        caption = texts.render(
            lang,
            "digest_auto_caption",
            title="Workshop <Handel>",
            kind="pdf",
            day=starts.date(),
            starts=starts,
            place="Rathaus",
            late=True,
        )
        assert line in caption and "Workshop &lt;Handel&gt;" in caption
        assert len(caption) < 1024
