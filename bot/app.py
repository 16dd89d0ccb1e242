"""The application factory: production and tests build the bot the same way."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import digests, training_notices
from bot import privacy as retention
from bot import reminders as reminder_plan
from bot import workshops as workshop_plan
from bot.commands import STAFF_COMMANDS, public_commands
from bot.consultation.model import Consultation
from bot.context import AgendaApp, AgendaContext, BotData, Clock, Services, system_clock
from bot.documents.worker import RenderPool
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.outbox import dispatch as outbox_dispatch
from bot.outbox import kinds as outbox_kinds
from bot.service import backups
from bot.service.health import HealthState, TrackingApplication, start_health, stop_health
from bot.service.traffic import ReplyLimiter, Traffic
from bot.settings import Settings
from bot.texts import Texts
from handlers import (
    audit,
    broadcast,
    draft,
    draft_staff,
    errors,
    exports,
    input,
    members,
    menu,
    onboarding,
    outbox_report,
    plan,
    privacy,
    problems,
    profile,
    progress,
    questionnaire,
    reminders,
    staff,
    team,
    training,
    workshop_staff,
    workshops,
)
from storage import staff as staff_store
from storage.db import Database

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    consultation: Consultation,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock = system_clock,
    rate_limit: bool = True,
    traffic: Traffic | None = None,
    warm_renders: bool = False,
    texts: Texts | None = None,
) -> AgendaApp:
    """Build the bot: handlers in order, resources opened in post_init, closed in post_shutdown.

    `traffic`: the account of Telegram's limits (bot/service/traffic.py) that replies and the outbox
    share; tests pass one on virtual time. `rate_limit=False`: no limits kept at all.
    `warm_renders`: start a render worker at once (``agenda-bot run``), not at the first job.
    `texts`: compiled templates to share (tests build many applications); default: compile them."""
    settings.check_timezone(consultation.timezone)
    context_types = ContextTypes(context=AgendaContext, bot_data=BotData)
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(context_types)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=consultation.zone,
            )
        )
        .post_init(_opener(settings, consultation, clock, warm_renders, texts))
        .post_shutdown(_close)
        .application_class(TrackingApplication)  # notes each handled update for /healthz
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if rate_limit:
        traffic = traffic or Traffic()
        builder = builder.rate_limiter(ReplyLimiter(traffic))  # type: ignore[arg-type]
    app: AgendaApp = builder.build()
    app.bot_data.health = HealthState()
    app.bot_data.traffic = traffic if rate_limit else None

    # The table of contents: earlier handlers win.
    for module in (
        onboarding,
        profile,
        privacy,
        questionnaire,
        problems,
        staff,
        exports,
        training,
        reminders,
        broadcast,
        outbox_report,
        workshops,
        workshop_staff,
        draft,
        draft_staff,
        plan,
        progress,
        audit,
        team,
        members,
        menu,
    ):
        app.add_handlers(module.handlers())
    app.add_handlers(menu.fallback_handlers())
    app.add_handlers(input.handlers())
    # Before everything: a person who had blocked the bot is reachable again; a staff member's
    # broadcast text is taken before the input router sees it.
    app.add_handlers(reminders.early_handlers(), group=-2)
    app.add_handlers(broadcast.early_handlers(), group=-1)
    app.add_handlers(team.early_handlers(), group=-3)  # an admin forwards a message: add its sender
    app.add_handlers(menu.guard_handlers(), group=-1)  # forged or out-of-range button payloads
    app.add_error_handler(errors.on_error)
    return app


def _opener(
    settings: Settings,
    consultation: Consultation,
    clock: Clock,
    warm_renders: bool,
    texts: Texts | None,
) -> Any:
    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        messages = texts or Texts()  # before the database: a broken template opens nothing
        db = await Database.open(settings.db_path)
        try:
            await _start(app, db, messages)
        except BaseException:
            # A start that fails half-way closes what it opened: the database's threads and
            # the render workers would otherwise keep the process alive after the error.
            opened = app.bot_data.services is not None
            await _close(app)
            if not opened:
                await db.close()
            raise

    async def _start(
        app: Application[Any, Any, Any, Any, Any, Any], db: Database, messages: Texts
    ) -> None:
        app.bot_data.services = Services(settings, consultation, messages, db, clock)
        app.bot_data.services.stored_staff = await staff_store.ids(db)
        app.bot_data.renders = RenderPool(settings.render_workers)
        if warm_renders:  # the first /digest then does not wait for the worker's imports
            app.bot_data.renders.prewarm()
        await register_commands(app)
        # One dispatcher for every kind (bot/outbox/kinds.py): reconcile interrupted sends
        # per kind, schedule the wake-ups; then plan digests, reminders, training summaries.
        await outbox_dispatch.start_dispatcher(app, outbox_kinds.policies())
        await digests.start_digests(app)  # each workshop's digest
        await reminder_plan.start_reminders(app)
        await training_notices.start_summaries(app)
        await workshop_plan.start_workshops(app)  # lapsed seat offers, workshop reminders
        retention.start_retention(app)  # personal data purged after purge_after
        await start_health(app)  # GET /healthz, if AGENDA_HEALTH_LISTEN is set
        backups.schedule(app)  # the nightly backup, if AGENDA_BACKUP_DIR is set

    return post_init


async def _close(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = app.bot_data.services
    await stop_health(app)
    if app.bot_data.inbox is not None:  # handlers in progress finish; the rest stays stored
        await app.bot_data.inbox.stop()
    if app.bot_data.dispatcher is not None:
        await app.bot_data.dispatcher.stop()
    if app.bot_data.renders is not None:
        app.bot_data.renders.shutdown()
        app.bot_data.renders = None
    if services is not None:
        await services.db.close()
        app.bot_data.services = None


async def register_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """setMyCommands per language, plus the staff commands in each staff member's chat."""
    services: Services = app.bot_data.services
    texts = services.texts

    def commands(lang: str, names: list[str]) -> list[BotCommand]:
        return [BotCommand(n, texts.render(lang, "command_description", command=n)) for n in names]

    for lang in LANGUAGES:
        names = public_commands(lang)
        code = None if lang == DEFAULT_LANGUAGE else lang
        await app.bot.set_my_commands(
            commands(lang, names), scope=BotCommandScopeDefault(), language_code=code
        )
    for staff_id in sorted(services.settings.staff_ids | services.stored_staff):
        try:
            await app.bot.set_my_commands(
                commands("de", public_commands("de") + STAFF_COMMANDS),
                scope=BotCommandScopeChat(staff_id),
            )
        except BadRequest:
            # The staff member has not opened a chat with the bot yet.
            log.info("staff commands not set for one staff id: no chat yet")
