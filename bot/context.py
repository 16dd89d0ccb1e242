"""The typed context every callback receives: settings, consultation, database, texts, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.consultation.catalogue import Catalogue, load_catalogue
from bot.consultation.model import Consultation
from bot.settings import Settings
from bot.texts import Texts
from storage.db import Database

if TYPE_CHECKING:
    from bot.documents.worker import RenderPool
    from bot.outbox.dispatch import Dispatcher
    from bot.service.health import HealthServer, HealthState
    from bot.service.inbox import Inbox
    from bot.service.traffic import Traffic

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class Services:
    """What the handlers need, opened in post_init and closed in post_shutdown."""

    settings: Settings
    consultation: Consultation
    texts: Texts
    db: Database
    clock: Clock
    catalogue: Catalogue = field(default_factory=load_catalogue)
    # Staff added in the chat (/team, storage/staff.py): loaded in post_init, kept on change.
    stored_staff: frozenset[int] = frozenset()

    def today(self) -> date:
        """Today's date in the consultation's time zone."""
        return self.clock().astimezone(self.consultation.zone).date()

    def is_staff(self, user_id: int) -> bool:
        """Whether this Telegram user id is one of the town's staff (settings or /team)."""
        return user_id in self.settings.staff_ids or user_id in self.stored_staff

    def is_admin(self, user_id: int) -> bool:
        """Whether this Telegram user id may add and remove staff (AGENDA_ADMIN_IDS)."""
        return user_id in self.settings.admin_ids


class BotData:
    """The application's bot_data: one typed slot instead of string keys."""

    services: Services | None = None
    dispatcher: Dispatcher | None = None  # the outbox dispatcher, set in post_init
    health: HealthState  # set per application by build_application (GET /healthz)
    health_server: HealthServer | None = None
    inbox: Inbox | None = None  # the durable inbox (bot/service/inbox.py), made on first use
    traffic: Traffic | None = None  # Telegram's limits, shared by replies and the outbox
    renders: RenderPool | None = None  # the bounded pool of render workers, set in post_init


class AgendaContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with typed access to the services (one per update)."""

    # Set by a flow that is done with the message whose button was pressed: the next reply
    # takes its place (handlers/common.py `move_on`), one Bot API call instead of two.
    replace_tapped: bool = False
    # A short note (e.g. "Gespeichert") that the next reply starts with (`lead_with`).
    lead: str | None = None

    @property
    def services(self) -> Services:
        """The services of the running application."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not open yet (post_init has not run)")
        return services

    @property
    def renders(self) -> RenderPool:
        """The bounded pool of render workers (bot/documents/worker.py)."""
        renders = self.bot_data.renders
        if renders is None:
            raise RuntimeError("the render pool is not open yet (post_init has not run)")
        return renders


AgendaApp = Application[ExtBot[None], AgendaContext, dict[Any, Any], dict[Any, Any], BotData, Any]
