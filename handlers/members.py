"""A shared invitation link (issue 12, item 6): the first person to use an organisation's link
is its contact; a later person waits until the contact (or staff) confirms them with a button,
and may meanwhile take part without the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler

from bot import member_notices
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.member_notices import ConfirmMember, RefuseMember
from handlers.common import Button, label, send
from handlers.routes import PersonCall, profile_button
from handlers.staff import audit_action
from storage import members, organisations
from storage.members import Redeemed
from storage.people import Person


@dataclass(frozen=True)
class GoOnAlone(CallbackData, prefix="IR:own"):
    """The waiting person takes part without the organisation."""


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The contact's buttons and the waiting person's way out."""
    return [
        profile_button(ConfirmMember, on_decision),
        profile_button(RefuseMember, on_decision),
        profile_button(GoOnAlone, on_go_on_alone),
    ]


def own_button(context: AgendaContext, lang: str) -> list[list[Button]]:
    """The waiting person's way out: take part without the organisation."""
    return [[(label(context, lang, "member_own"), GoOnAlone().pack())]]


async def use_link(context: AgendaContext, person_id: int, token: str) -> Redeemed | None:
    """Redeem an invitation link (joining the caller's unit of work): the person is bound as
    contact or member, or waits and the contact is asked through the outbox. None: unknown."""
    services = context.services
    now = services.clock()
    async with services.db.transaction():
        redeemed = await members.redeem(services.db, person_id, token, now=now)
        if redeemed is not None and redeemed.outcome == "waiting":
            await member_notices.enqueue_request(
                services.db, redeemed.organisation.id, person_id, now=now
            )
    return redeemed


async def tell(update: Update, context: AgendaContext, lang: str, redeemed: Redeemed) -> None:
    """Say what using the link did."""
    name = redeemed.organisation.name
    if redeemed.outcome == "waiting":
        await send(
            update, context, lang, "invite_waiting", own_button(context, lang), organisation=name
        )
        _wake(context)
    elif redeemed.outcome == "revoked":
        await send(
            update,
            context,
            lang,
            "invite_revoked",
            organisation=name,
            contact=context.services.consultation.contact,
        )
    else:
        await send(update, context, lang, "invite_bound", organisation=name)


async def waiting(update: Update, context: AgendaContext, person: Person) -> bool:
    """True after reminding a person who is not onboarded yet that they wait for confirmation."""
    if person.onboarded:
        return False
    db = context.services.db
    request = await members.request_of(db, person.id)
    org = await organisations.by_id(db, request.organisation_id) if request else None
    if org is None:
        return False
    await send(
        update,
        context,
        person.language,
        "invite_waiting",
        own_button(context, person.language),
        organisation=org.name,
    )
    return True


async def on_go_on_alone(call: PersonCall[GoOnAlone]) -> None:
    """Drop the request and carry on with onboarding as anyone else."""
    from handlers.profile import resume, show_profile  # the profile imports this module

    await call.answer()
    await call.drop_buttons()
    await members.withdraw(call.services.db, call.person.id)
    if call.person.onboarded:
        await show_profile(call.update, call.context, call.person)
    else:
        await resume(call.update, call.context, call.person)


async def on_decision(call: PersonCall[ConfirmMember | RefuseMember]) -> None:
    """The contact (or staff) confirms or refuses; the person hears it through the outbox."""
    services, person = call.services, call.person
    db = services.db
    request = await members.request_of(db, call.payload.person)
    if request is None:
        await call.stale()
        return
    user = call.update.effective_user
    contact = await members.is_contact(db, person.id, request.organisation_id)
    staff = user is not None and services.is_staff(user.id)
    if not (contact or staff):
        await call.stale()
        return
    confirmed, now = isinstance(call.payload, ConfirmMember), services.clock()
    async with db.transaction():  # the decision and the message about it together
        if confirmed:
            org = await members.confirm(db, request.person_id, now=now)
        else:
            org = await members.withdraw(db, request.person_id)
        assert org is not None
        await member_notices.enqueue_decision(db, org.id, request.person_id, confirmed, now=now)
        if staff and not contact:
            await audit_action(
                call.update,
                call.context,
                "invite_confirm" if confirmed else "invite_refuse",
                f"organisation:{org.id}",
                f"person=P{request.person_id:04d}",
            )
    await call.answer()
    await call.drop_buttons()
    await call.send("member_decided", organisation=org.name, confirmed=confirmed)
    _wake(call.context)


def _wake(context: AgendaContext) -> None:
    dispatcher = context.bot_data.dispatcher
    if dispatcher is not None:
        dispatcher.wake()
