"""Render documents in a worker process that is kept warm between jobs.

A pack, plan or progress report is rendered off the event loop, in a separate process with a
time limit, so other people's buttons keep answering. Starting that process costs more than
the rendering itself would (a fresh interpreter, then matplotlib, WeasyPrint and the fonts),
so one worker is kept: it imports the libraries once and waits for the next job. A job that
comes while it is busy gets a worker of its own, up to ``size`` at once (each one holds about
100 MB); further jobs wait their turn and the person is told their place ("Platz 2").

A worker that overruns its time limit, dies or cannot be reached is stopped and replaced on
the next job; the job raises ``RenderTimeout`` or ``RenderFailed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
RENDER_TIMEOUT = 120.0  # seconds
MAX_JOBS = 50  # a worker is replaced after this many jobs, so memory does not creep
DEFAULT_WORKERS = 2  # worker processes at once (AGENDA_RENDER_WORKERS): one per core here
WORKER_NICENESS = 10  # render workers yield the processor to the bot (see _serve)


class RenderFailed(RuntimeError):
    """No document was made: the worker died, could not be reached, or ran out of time."""


class RenderTimeout(RenderFailed, TimeoutError):
    """The worker did not finish within the time limit (it was stopped)."""


def _warm_up() -> None:
    """Import what rendering needs, draw a chart and lay out a small page, so fonts are loaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    from bot.documents import charts
    from bot.documents.pdf import render_pdf

    charts.warm_up()
    render_pdf("<p>Hagenow</p><p><b>Digitale Agenda</b></p>")


def _serve(conn: Connection, warm: bool) -> None:
    """The worker's loop: take a (function, argument) job, send back ("ok"|"error", value)."""
    # Ctrl+C in a terminal reaches the whole process group: the bot stops its worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A pack takes seconds of CPU; people's replies must not wait for it: on a small server
    # the bot process gets the processor first.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    if warm:
        try:
            _warm_up()
        except Exception:  # a failed warm-up only costs time; the job reports real errors
            log.exception("render worker warm-up failed")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        function, argument = job
        try:
            reply: tuple[str, Any] = ("ok", function(argument))
        except Exception as error:  # the caller sees the job's own error
            reply = ("error", error)
        try:
            conn.send(reply)
        except Exception as error:  # an unpicklable result or error: say so, do not hang
            conn.send(("error", RenderFailed(f"{type(error).__name__}: {error}")))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: int = 0

    @classmethod
    def start(cls, *, warm: bool) -> _Worker:
        # spawn, not fork: the bot process has threads (aiosqlite, the HTTP client).
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, warm), name="agenda-render", daemon=True
        )
        process.start()
        theirs.close()
        return cls(process, ours)

    def alive(self) -> bool:
        return self.process.is_alive() and not self.conn.closed

    def stop(self) -> None:
        """Ask the worker to end; stop it if it does not within a second."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(1.0)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        self.conn.close()


Queued = Callable[[int], Awaitable[None]]  # told its place in the queue (1: next)


class RenderPool:
    """At most ``size`` worker processes at once; further jobs wait their turn, first come
    first served, and are told their place. One warm worker is kept between jobs.

    Built by the application in post_init (``app.bot_data.renders``) and stopped in its
    shutdown; a script that renders on its own uses ``with RenderPool() as pool``.
    """

    def __init__(self, size: int = DEFAULT_WORKERS) -> None:
        if size < 1:
            raise ValueError("a render pool needs at least one worker")
        self.size = size
        self._lock = threading.Lock()  # the spare is taken and given back from threads too
        self._spare: _Worker | None = None
        self._running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._closed = False

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def prewarm(self) -> None:
        """Start the kept worker now (it warms up in the background), if there is none yet."""
        with self._lock:
            if self._closed or (self._spare is not None and self._spare.alive()):
                return
            self._spare = _Worker.start(warm=True)

    def shutdown(self) -> None:
        """Stop the kept worker; jobs still waiting fail with RenderFailed."""
        self._closed = True
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(RenderFailed("the bot is stopping"))
        worker = self._take()
        if worker is not None:
            worker.stop()

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _take(self) -> _Worker | None:
        with self._lock:
            worker, self._spare = self._spare, None
        return worker if worker is not None and worker.alive() else None

    def _give_back(self, worker: _Worker) -> None:
        """Keep the worker for the next job, unless one is kept already or it has done enough."""
        with self._lock:
            kept = (
                not self._closed
                and self._spare is None
                and worker.jobs < MAX_JOBS
                and worker.alive()
            )
            if kept:
                self._spare = worker
        if not kept:
            worker.stop()

    async def _turn(self, queued: Queued | None) -> None:
        """Wait for a free worker slot (FIFO); tell `queued` the place first, if any."""
        if self._closed:
            raise RenderFailed("the bot is stopping")
        if self._running < self.size and not self._waiting:
            self._running += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if queued is not None:
            try:
                await queued(len(self._waiting))
            except Exception:  # the note is a courtesy: the job still runs
                log.warning("could not tell the place in the render queue", exc_info=True)
        try:
            await waiter  # the slot is handed over by _release (running stays counted)
        except BaseException:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release()  # handed a slot, then cancelled: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to the next in line
                return
        self._running -= 1

    async def run(
        self,
        render: Callable[[Any], T],
        ctx: Any,
        limit: float,
        what: str,
        *,
        queued: Queued | None = None,
    ) -> T:
        """render(ctx) in a warm worker process once a slot is free; RenderTimeout (worker
        stopped) after `limit` s of rendering."""
        await self._turn(queued)
        try:
            return await self._run(render, ctx, limit, what)
        finally:
            self._release()

    async def _run(self, render: Callable[[Any], T], ctx: Any, limit: float, what: str) -> T:
        worker = self._take() or _Worker.start(warm=False)
        try:
            status, value = await asyncio.to_thread(_run_job, worker, (render, ctx), limit)
        except TimeoutError:
            worker.kill()
            raise RenderTimeout(f"{what} not rendered within {limit} s") from None
        except (EOFError, OSError) as error:
            worker.kill()
            reason = str(error) or type(error).__name__
            raise RenderFailed(f"{what}: the render worker ended ({reason})") from None
        except BaseException:  # cancelled while waiting: the worker is still busy with the job
            worker.kill()
            raise
        self._give_back(worker)
        if status == "error":
            raise value
        result: T = value
        return result


def _run_job(worker: _Worker, job: tuple[Callable[[Any], Any], Any], limit: float) -> Any:
    """Send the job and wait for its reply (in a thread: this blocks)."""
    worker.conn.send(job)
    worker.jobs += 1
    if not worker.conn.poll(limit):
        raise TimeoutError
    return worker.conn.recv()
