"""``GET /healthz`` for a supervisor or monitoring, in polling and in webhook mode: a small HTTP
server on ``AGENDA_HEALTH_LISTEN`` (e.g. 127.0.0.1:8081), started with the bot.

Answers 200 with JSON when the database answers, 503 when it does not::

    {"status": "ok", "mode": "polling", "database": "ok", "started_at": "...",
     "last_update_at": "...", "outbox_due": 0, "outbox_oldest_due_at": null}

Built on asyncio streams (no web framework): one GET, a few headers, a short JSON body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application

if TYPE_CHECKING:
    from bot.context import AgendaApp

log = logging.getLogger(__name__)

_MAX_HEADER_BYTES = 8192
_READ_TIMEOUT_S = 5.0


@dataclass
class HealthState:
    """What the running bot knows about itself."""

    mode: str = "polling"
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_update_at: datetime | None = None  # when the last update finished its handlers

    def update_handled(self) -> None:
        """Note that an update has been handled now."""
        self.last_update_at = datetime.now(UTC)


Probe = Callable[[], Awaitable[dict[str, object]]]


class HealthServer:
    """Serves GET /healthz (and HEAD); anything else is 404, other methods 405."""

    def __init__(self, host: str, port: int, probe: Probe) -> None:
        self.host, self.port = host, port
        self._probe = probe
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Listen; an address that is taken or not allowed is a SettingsError (exit 2)."""
        try:
            self._server = await asyncio.start_server(self._serve, self.host, self.port)
        except OSError as error:
            from bot.settings import SettingsError

            raise SettingsError(
                "AGENDA_HEALTH_LISTEN",
                f"cannot listen on {self.host}:{self.port} ({error.strerror or error})",
            ) from None
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("health endpoint on http://%s:%d/healthz", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT_S)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
            writer.close()
            return
        try:
            status, body = await self._answer(head[:_MAX_HEADER_BYTES])
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
                "Connection: close\r\n\r\n".encode("ascii")
                + (b"" if head.startswith(b"HEAD ") else body)
            )
            await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def _answer(self, head: bytes) -> tuple[str, bytes]:
        parts = head.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) != 3:
            return "400 Bad Request", b'{"error": "bad request"}'
        method, target = parts[0], parts[1].split(b"?", 1)[0]
        if target != b"/healthz":
            return "404 Not Found", b'{"error": "not found - GET /healthz"}'
        if method not in (b"GET", b"HEAD"):
            return "405 Method Not Allowed", b'{"error": "GET /healthz"}'
        try:
            report = await asyncio.wait_for(self._probe(), _READ_TIMEOUT_S)
        except Exception as error:  # the answer to a broken probe is 503, not a dead endpoint
            log.warning("health check failed: %s", error)
            report = {"status": "fail", "database": f"error: {error}"}
        status = "200 OK" if report.get("status") == "ok" else "503 Service Unavailable"
        return status, json.dumps(report, ensure_ascii=False).encode("utf-8")


class TrackingApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application that notes in the health state when an update has been handled."""

    async def process_update(self, update: object) -> None:
        """Handle the update as PTB does, then note the time."""
        await super().process_update(update)
        state = getattr(self.bot_data, "health", None)
        if isinstance(state, HealthState):
            state.update_handled()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def probe_for(app: AgendaApp) -> Probe:
    """The /healthz report of a running application."""
    from storage.health import outbox_backlog

    async def probe() -> dict[str, object]:
        state: HealthState = app.bot_data.health
        report: dict[str, object] = {
            "status": "ok",
            "mode": state.mode,
            "started_at": _iso(state.started_at),
            "last_update_at": _iso(state.last_update_at),
        }
        services = app.bot_data.services
        if services is None:
            return {**report, "status": "fail", "database": "not open"}
        try:
            backlog = await outbox_backlog(services.db, services.clock())
        except Exception as error:  # any database failure is what this endpoint reports
            return {**report, "status": "fail", "database": f"error: {error}"}
        return {
            **report,
            "database": "ok",
            "outbox_due": backlog.due,
            "outbox_oldest_due_at": backlog.oldest_due_at,
        }

    return probe


async def start_health(app: AgendaApp) -> None:
    """Start GET /healthz on AGENDA_HEALTH_LISTEN, if set (post_init)."""
    services = app.bot_data.services
    listen = services.settings.ops.health_listen if services else None
    if listen is None:
        return
    server = HealthServer(listen.host, listen.port, probe_for(app))
    await server.start()
    app.bot_data.health_server = server


async def stop_health(app: AgendaApp) -> None:
    """Stop the health endpoint (post_shutdown)."""
    server = app.bot_data.health_server
    if server is not None:
        await server.stop()
        app.bot_data.health_server = None
