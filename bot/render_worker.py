"""Render documents in a worker process that is kept warm between jobs.

A pack, plan or progress report is rendered off the event loop, in a separate process with a
time limit, so other people's buttons keep answering. Starting that process costs more than
the rendering itself would (a fresh interpreter, then matplotlib, WeasyPrint and the fonts),
so one worker is kept: it imports the libraries once and waits for the next job. A job that
comes while it is busy gets a worker of its own; afterwards one of the two is kept.

A worker that overruns its time limit, dies or cannot be reached is stopped and replaced on
the next job; the job raises ``RenderTimeout`` or ``RenderFailed``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
RENDER_TIMEOUT = 120.0  # seconds
MAX_JOBS = 50  # a worker is replaced after this many jobs, so memory does not creep


class RenderFailed(RuntimeError):
    """No document was made: the worker died, could not be reached, or ran out of time."""


class RenderTimeout(RenderFailed, TimeoutError):
    """The worker did not finish within the time limit (it was stopped)."""


def _warm_up() -> None:
    """Import what rendering needs, draw a chart and lay out a small page, so fonts are loaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    from bot import pack_charts
    from bot.pack_render import render_pdf

    pack_charts.warm_up()
    render_pdf("<p>Hagenow</p><p><b>Digitale Agenda</b></p>")


def _serve(conn: Connection, warm: bool) -> None:
    """The worker's loop: take a (function, argument) job, send back ("ok"|"error", value)."""
    # Ctrl+C in a terminal reaches the whole process group: the bot stops its worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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


_lock = threading.Lock()
_spare: _Worker | None = None


def _take() -> _Worker | None:
    global _spare
    with _lock:
        worker, _spare = _spare, None
    return worker if worker is not None and worker.alive() else None


def _give_back(worker: _Worker) -> None:
    """Keep the worker for the next job, unless one is kept already or it has done enough."""
    global _spare
    with _lock:
        kept = _spare is None and worker.jobs < MAX_JOBS and worker.alive()
        if kept:
            _spare = worker
    if not kept:
        worker.stop()


def prewarm() -> None:
    """Start the kept worker now (it warms up in the background), if there is none yet."""
    global _spare
    with _lock:
        if _spare is not None and _spare.alive():
            return
        _spare = _Worker.start(warm=True)


def shutdown() -> None:
    """Stop the kept worker (at exit, and when the bot stops)."""
    worker = _take()
    if worker is not None:
        worker.stop()


atexit.register(shutdown)


def _run_job(worker: _Worker, job: tuple[Callable[[Any], Any], Any], limit: float) -> Any:
    """Send the job and wait for its reply (in a thread: this blocks)."""
    worker.conn.send(job)
    worker.jobs += 1
    if not worker.conn.poll(limit):
        raise TimeoutError
    return worker.conn.recv()


async def in_worker(render: Callable[[Any], T], ctx: Any, limit: float, what: str) -> T:
    """render(ctx) in a warm worker process; RenderTimeout (worker stopped) after `limit` s."""
    worker = _take() or _Worker.start(warm=False)
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
    _give_back(worker)
    if status == "error":
        raise value
    result: T = value
    return result
