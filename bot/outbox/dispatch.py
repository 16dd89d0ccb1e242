"""The outbox dispatcher: sends the due rows of every kind, within Telegram's limits.

Telegram allows about 30 messages a second overall, one a second per private chat and 20 a
minute per group. The dispatcher schedules its own sends (``RateLimiter``) in the account it
shares with the replies (``bot.service.traffic.Traffic``): it takes at most 25 of its 28 a
second while replies are under way, so people's next questions never queue behind a
broadcast. Clock and sleep are injected, so tests can run a broadcast of thousands in virtual
time. The JobQueue only wakes it; the outbox table decides.

Per row: checks (blocked? still wanted?) and the message come from the kind's ``KindPolicy``;
the row is marked 'sending' right before the Telegram call and 'sent' right after. A 429
pauses every send for the time Telegram names and the row is tried again; a network error or
timeout retries with backoff (a few times); a 403 marks the person inactive, and nothing goes
to them until they write to the bot again. A row may stand for several documents (a digest's
PDF and HTML): the parts that went out are recorded in its payload, so a retry sends the rest.
The kinds and their policies are registered in one place, ``bot/outbox/kinds.py``; what a
policy answers is defined in ``policy.py``, the pace in ``limiter.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application

from bot.context import AgendaContext, BotData, Services
from bot.outbox.limiter import Monotonic, RateLimiter, Sleep
from bot.outbox.policy import Dropped, KindPolicy, Outgoing, Postponed
from bot.service.traffic import BULK, Limits, Traffic, retry_seconds
from storage import outbox, outbox_sending, recipients

log = logging.getLogger(__name__)

JOB_NAME = "outbox-dispatch"
DISPATCH_INTERVAL = 60.0  # seconds between two looks at the outbox
DISPATCH_FIRST = 3.0  # a message due while the bot was down goes out soon after the start
BACKOFF_BASE = timedelta(seconds=30)  # network error n waits 30 s * 2**(n-1), at most an hour
BACKOFF_MAX = timedelta(hours=1)
STOP_GRACE = 10.0  # seconds a shutdown waits for the sends under way
MAX_PASSES = 10_000  # a run ends at the latest after this many looks at the due rows
NOTE_BLOCKED_PREFIX = "blocked:"  # reports count the rows whose note starts so as blocked
NOTE_BLOCKED = NOTE_BLOCKED_PREFIX + " the person blocked the bot"
NOTE_INACTIVE = NOTE_BLOCKED_PREFIX + " not sent, the person had blocked the bot"
NOTE_WITHDRAWN = "consent withdrawn"  # bot/privacy.py
NOTE_NO_PERSON = "no such person any more"
NOTE_RETRY_AFTER = "429: Telegram asked to wait"
SENT_PARTS = "sent_parts"  # payload key: the parts of a row that went out already

App = Application[Any, Any, Any, Any, BotData, Any]


@dataclass
class RunReport:
    """What one dispatcher run did, in rows."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    dropped: int = 0
    postponed: int = 0
    paused: float = 0.0  # seconds Telegram asked us to wait

    def count(self, status: str) -> None:
        """Count a retried attempt by the row's new status: again later, or given up."""
        self.retried += status == "pending"
        self.failed += status == "failed"


@dataclass
class Dispatcher:
    """Sends the due outbox rows of its kinds; one run at a time."""

    app: App
    kinds: Mapping[str, KindPolicy]
    monotonic: Monotonic = time.monotonic
    sleep: Sleep = asyncio.sleep
    limits: Limits = field(default_factory=Limits)
    in_flight: int = 8  # concurrent Telegram calls: latency must not cap the rate
    traffic: Traffic | None = None  # the account shared with the replies (None: its own)
    limiter: RateLimiter = field(init=False)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _task: asyncio.Task[RunReport] | None = field(init=False, default=None)
    _stopping: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        limits = self.traffic.limits if self.traffic is not None else self.limits
        self.limiter = RateLimiter(limits, self.monotonic, self.sleep, self.traffic)

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        assert services is not None, "the dispatcher runs while the services are open"
        return services

    async def reconcile(self) -> None:
        """At start: settle rows a crash left in 'sending', per kind (see KindPolicy)."""
        db = self.services.db
        for kind, policy in self.kinds.items():
            if policy.resend_interrupted:
                found = await outbox_sending.requeue_sending(db, kind, policy.interrupted_note)
            else:
                found = await outbox_sending.reconcile_sending(db, kind, policy.interrupted_note)
            if found:
                log.warning(
                    "%d %s row(s) interrupted while sending: %s",
                    len(found),
                    kind,
                    policy.interrupted_note,
                )

    def wake(self) -> None:
        """Start a run in the background unless one is going (the job and new broadcasts)."""
        if self._task is None or self._task.done():
            # Our own task, not the application's: stop() ends it before the database closes.
            self._task = asyncio.create_task(self.run(), name=JOB_NAME)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """At shutdown: let the sends under way finish, then end the run before the database
        closes (a row is claimed only once its turn has come, so none is left half-sent)."""
        self._stopping = True
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
        await self.wait_idle()

    async def wait_idle(self) -> None:
        """Wait for a background run to end (tests, shutdown)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> RunReport:
        """Send everything due now, pass by pass, until nothing due is left to send."""
        report = RunReport()
        async with self._lock:
            for _ in range(MAX_PASSES):
                if self._stopping:
                    break
                rows = await self._due(report)
                if not rows:
                    break
                sent_any, soonest = await self._pass(rows, report)
                if not sent_any:
                    if soonest is None:
                        break  # nothing sendable now (all postponed or backing off)
                    await self.sleep(soonest)
        if report.sent or report.failed or report.dropped or report.blocked:
            log.info("outbox: %s", report)
        return report

    async def _due(self, report: RunReport) -> list[outbox.OutboxRow]:
        services = self.services
        now = services.clock()
        for kind, policy in self.kinds.items():
            report.dropped += await outbox.drop_expired(services.db, now, policy.expired_note, kind)
        return [row for row in await outbox_sending.due(services.db, now) if row.kind in self.kinds]

    async def _pass(
        self, rows: list[outbox.OutboxRow], report: RunReport
    ) -> tuple[bool, float | None]:
        """Send each row whose chat is ready; (whether any went out, least wait of the rest)."""
        context = AgendaContext(self.app)
        slots = asyncio.Semaphore(self.in_flight)
        tasks: list[asyncio.Task[None]] = []
        sent_any, soonest = False, None
        busy: set[int] = set()  # chats with a send in this pass: the next waits for a pass
        for row in rows:
            if self._stopping:
                break
            wait = self.limiter.chat_wait(row.recipient)
            if wait > 0 or row.recipient in busy:
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            outgoing = await self._decide(context, row, report)
            if outgoing is None:
                continue
            await slots.acquire()
            await self.limiter.acquire(row.recipient)
            # Marked right before the call: a crash in between leaves it 'sending', which
            # reconcile() settles per kind at the next start.
            if not await outbox_sending.mark_sending(self.services.db, row.id):
                slots.release()
                continue
            busy.add(row.recipient)
            sent_any = True
            tasks.append(asyncio.create_task(self._send(row, outgoing, report, slots)))
        await asyncio.gather(*tasks)
        return sent_any, soonest

    async def _decide(
        self, context: AgendaContext, row: outbox.OutboxRow, report: RunReport
    ) -> Outgoing | None:
        db = self.services.db
        person = await recipients.by_telegram_id(db, row.recipient) if row.recipient > 0 else None
        if person is not None and person.inactive:
            await outbox_sending.mark_dropped(db, row.id, NOTE_INACTIVE)
            report.blocked += 1
            return None
        if person is not None and person.withdrawn:  # planned before the withdrawal
            await outbox_sending.mark_dropped(db, row.id, NOTE_WITHDRAWN)
            report.dropped += 1
            return None
        try:
            decision = await self.kinds[row.kind].build(context, row, person)
        except Exception as error:
            # Not Telegram: the message could not be made (a pack not rendered in time, a
            # bug). Tried again later, a few times, instead of ending the run for everyone.
            log.warning("outbox row %s not built: %s", row.id, error)
            report.count(await self._failed(row, _note(error), [], retry=True, backoff=True))
            return None
        if isinstance(decision, Dropped):
            await outbox_sending.mark_dropped(db, row.id, decision.note)
            report.dropped += 1
            return None
        if isinstance(decision, Postponed):
            await outbox_sending.postpone(db, row.id, decision.due_at, decision.note)
            report.postponed += 1
            return None
        return decision

    async def _send(
        self,
        row: outbox.OutboxRow,
        outgoing: Outgoing,
        report: RunReport,
        slots: asyncio.Semaphore,
    ) -> None:
        """The send step: the Telegram call(s) of one claimed row, and what their outcome
        means for the row (sent, again later, failed)."""
        db = self.services.db
        done: list[str] = [str(part) for part in row.payload.get(SENT_PARTS, [])]
        try:
            message = await self._call(row, outgoing, done)
        except RetryAfter as error:
            pause = retry_seconds(error)
            self.limiter.pause(pause)
            report.paused += pause
            report.retried += 1
            await outbox_sending.release(
                db, row.id, f"{NOTE_RETRY_AFTER} {pause:g} s", payload=_progress(row, done)
            )
            return
        except Forbidden as error:
            if row.recipient > 0:
                await recipients.mark_inactive(db, row.recipient, self.services.clock())
            await self._failed(row, f"{NOTE_BLOCKED} ({error})", done, retry=False)
            report.blocked += 1
            return
        except (BadRequest, ChatMigrated) as error:
            # Chat unknown, bad markup, a group that moved: trying again will not help.
            await self._failed(row, _note(error), done, retry=False)
            report.failed += 1
            return
        except NetworkError as error:
            # Timeouts, connection errors, Telegram's 5xx: again later, waiting longer each time.
            report.count(await self._failed(row, _note(error), done, retry=True, backoff=True))
            return
        except Exception as error:
            # A bug, not Telegram: never leave the row in 'sending' (it would count as sent).
            log.exception("outbox row %s", row.id)
            await self._failed(row, _note(error), done, retry=True)
            report.failed += 1
            return
        finally:
            slots.release()
        await outbox_sending.mark_sent(db, row.id, self.services.clock())
        report.sent += 1
        if outgoing.after_sent is not None:
            try:
                await outgoing.after_sent(message)
            except Exception:
                log.exception("after sending outbox row %s", row.id)

    async def _failed(
        self,
        row: outbox.OutboxRow,
        note: str,
        done: list[str],
        *,
        retry: bool,
        backoff: bool = False,
    ) -> str:
        """Record a failed attempt at `row`: the parts in `done` went out, and with `retry` it
        goes back to pending (after a growing wait with `backoff`) while attempts remain.
        Returns the row's new status."""
        return await outbox_sending.mark_failed(
            self.services.db,
            row.id,
            note,
            retry=retry,
            payload=_progress(row, done),
            retry_at=self.services.clock() + _backoff(row) if backoff else None,
        )

    async def _call(self, row: outbox.OutboxRow, outgoing: Outgoing, done: list[str]) -> Message:
        """The Telegram call(s) for one row; parts that went out are added to `done`."""
        bot = self.app.bot
        # The outbox keeps the limits itself: PTB's limiter (bot.service.traffic) lets them pass.
        extra: dict[str, Any] = {"rate_limit_args": BULK} if bot.rate_limiter else {}
        if outgoing.parts:
            message: Message | None = None
            for part in outgoing.parts:
                if part.name in done:
                    continue  # went out in an earlier, interrupted attempt
                message = await bot.send_document(
                    row.recipient,
                    part.document.data,
                    filename=part.document.filename,
                    caption=part.caption,
                    reply_markup=outgoing.reply_markup,
                    **extra,
                )
                done.append(part.name)
            assert message is not None, "a row with parts has a part not sent yet"
            return message
        sent: Message
        if outgoing.document is not None:
            sent = await bot.send_document(
                row.recipient,
                outgoing.document.data,
                filename=outgoing.document.filename,
                caption=outgoing.text,
                reply_markup=outgoing.reply_markup,
                **extra,
            )
        else:
            sent = await bot.send_message(
                row.recipient, outgoing.text, reply_markup=outgoing.reply_markup, **extra
            )
        return sent


def _backoff(row: outbox.OutboxRow) -> timedelta:
    """Attempt n waits 30 s * 2**(n-1), at most an hour."""
    return min(BACKOFF_BASE * (1 << min(row.attempts, 8)), BACKOFF_MAX)


def _note(error: Exception) -> str:
    """What a failed attempt records of its error."""
    return f"{type(error).__name__}: {error}"


def _progress(row: outbox.OutboxRow, done: list[str]) -> Mapping[str, Any] | None:
    """The payload recording the parts sent so far (None: nothing to record)."""
    return {**row.payload, SENT_PARTS: done} if done else None


async def _dispatch_job(context: AgendaContext) -> None:
    """The JobQueue's wake-up call: the outbox decides what is due."""
    dispatcher = context.bot_data.dispatcher
    if dispatcher is not None:
        dispatcher.wake()


async def start_dispatcher(app: App, kinds: Mapping[str, KindPolicy], **options: Any) -> Dispatcher:
    """In post_init: reconcile interrupted sends per kind and schedule the wake-ups."""
    traffic = app.bot_data.traffic
    if traffic is not None and "traffic" not in options:
        options |= {"traffic": traffic, "monotonic": traffic.monotonic, "sleep": traffic.sleep}
    dispatcher = Dispatcher(app, kinds, **options)
    app.bot_data.dispatcher = dispatcher
    await dispatcher.reconcile()
    queue = app.job_queue
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue]): the outbox is not sent")
    elif not queue.get_jobs_by_name(JOB_NAME):
        queue.run_repeating(
            _dispatch_job, interval=DISPATCH_INTERVAL, first=DISPATCH_FIRST, name=JOB_NAME
        )
    return dispatcher
