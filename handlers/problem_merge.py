"""Staff merge a duplicate problem report into another (buttons on the /problem cards).

PM:pick:<gone> lists the field's other reports, alike titles first; PM:into:<gone>:<keep> asks
to confirm; PM:ok:<gone>:<keep> merges (``storage.problems.merge``: votes and the reporter move,
nobody twice); PM:no cancels. Staff only, private chats only (``handlers.staff.staff_only``).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler

from bot import similar
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from handlers.common import Button, label
from handlers.routes import Call, staff_button
from handlers.staff import audit_action, is_staff_chat
from storage import problems as problem_store
from storage.problems import MergeRefused, Problem

CANDIDATES = 6  # reports offered to merge into: the likest titles first


@dataclass(frozen=True)
class PickTarget(CallbackData, prefix="PM:pick"):
    """Merge this report: list the reports it could go into."""

    gone: int


@dataclass(frozen=True)
class MergeInto(CallbackData, prefix="PM:into"):
    """Merge `gone` into `keep`: ask to confirm."""

    gone: int
    keep: int


@dataclass(frozen=True)
class MergeConfirmed(CallbackData, prefix="PM:ok"):
    """Merge `gone` into `keep` now."""

    gone: int
    keep: int


@dataclass(frozen=True)
class MergeCancelled(CallbackData, prefix="PM:no"):
    """No merge."""


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The staff's merge buttons."""
    return [
        staff_button(PickTarget, on_pick),
        staff_button(MergeInto, on_into),
        staff_button(MergeConfirmed, on_confirmed),
        staff_button(MergeCancelled, on_cancelled),
    ]


def may_merge(update: Update, context: AgendaContext) -> bool:
    """Whether this chat is a staff member's private chat (so the merge button is shown)."""
    return is_staff_chat(update, context)


def merge_row(context: AgendaContext, lang: str, problem: Problem) -> list[Button]:
    """The staff's button under a report's card."""
    return [(label(context, lang, "problem_merge"), PickTarget(problem.id).pack())]


async def _shown(call: Call[CallbackData], problem_id: int) -> Problem | None:
    """A report still shown (not merged or hidden meanwhile); None after a stale answer."""
    found = await problem_store.get(call.services.db, problem_id)
    if found is None or not found.visible:
        await call.stale()
        return None
    return found


async def _pair(call: Call[MergeInto | MergeConfirmed]) -> tuple[Problem, Problem] | None:
    """(gone, keep) of a merge button: gone still shown, keep still there; None when stale."""
    gone = await _shown(call, call.payload.gone)
    if gone is None:
        return None
    keep = await problem_store.get(call.services.db, call.payload.keep)
    if keep is None:
        await call.stale()
        return None
    await call.answer()
    await call.drop_buttons()
    return gone, keep


async def on_cancelled(call: Call[MergeCancelled]) -> None:
    """No merge after all."""
    await call.answer()
    await call.drop_buttons()
    await call.send("problem_merge_cancelled")


async def on_pick(call: Call[PickTarget]) -> None:
    """The field's other reports to merge into, alike titles first."""
    gone = await _shown(call, call.payload.gone)
    if gone is None:
        return
    await call.answer()
    await call.drop_buttons()
    db, lang = call.services.db, call.lang
    others = [
        p for p in await problem_store.visible_in_field(db, gone.action_field) if p.id != gone.id
    ]
    others.sort(key=lambda p: -similar.likeness(p.title or "", gone.title or ""))
    rows: list[list[Button]] = [
        [
            (
                label(call.context, lang, "problem_merge_into", problem=p),
                MergeInto(gone.id, p.id).pack(),
            )
        ]
        for p in others[:CANDIDATES]
    ]
    rows.append([(label(call.context, lang, "problem_merge_no"), MergeCancelled().pack())])
    await call.send("problem_merge_pick", rows, gone=gone, count=len(others))


async def on_into(call: Call[MergeInto]) -> None:
    """Ask to confirm the merge."""
    pair = await _pair(call)
    if pair is None:
        return
    gone, keep = pair
    context, lang = call.context, call.lang
    await call.send(
        "problem_merge_confirm",
        [
            [(label(context, lang, "problem_merge_ok"), MergeConfirmed(gone.id, keep.id).pack())],
            [(label(context, lang, "problem_merge_no"), MergeCancelled().pack())],
        ],
        gone=gone,
        keep=keep,
    )


async def on_confirmed(call: Call[MergeConfirmed]) -> None:
    """Merge: votes and the reporter move to the report kept, nobody twice."""
    pair = await _pair(call)
    if pair is None:
        return
    gone, keep = pair
    try:
        async with call.services.db.transaction():
            merged = await problem_store.merge(
                call.services.db, keep.id, gone.id, now=call.services.clock()
            )
            await audit_action(
                call.update, call.context, "problem_merge", f"problem:{gone.id}>{keep.id}"
            )
    except MergeRefused as refused:
        await call.send("problem_merge_refused", reason=refused.reason)
        return
    await call.send("problem_merged", merged=merged)
