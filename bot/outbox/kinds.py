"""Every kind of outbox row in one registry: the dispatcher sends them, /ausgang names them
(the ``outbox_kind`` label in templates/messages/<lang>/reminders.j2), the tests check both.

A new kind: add its name to ``KINDS`` (the order /ausgang lists them in), its policy to
``policies()`` and its German and English label to the ``outbox_kind`` macro.
"""

from __future__ import annotations

from bot import digests, member_notices, progress_notices, training_notices
from bot import draft as draft_plan
from bot import reminders as reminder_plan
from bot import workshops as workshop_plan
from bot.broadcasts import KIND as BROADCAST
from bot.outbox.policy import KindPolicy
from handlers import broadcast, draft, reminders, workshops

KINDS: tuple[str, ...] = (
    reminder_plan.KIND,  # questionnaire reminders
    BROADCAST,  # staff broadcasts
    digests.KIND,  # the automatic briefing pack before a workshop
    workshop_plan.OFFER_KIND,  # a freed workshop seat
    workshop_plan.REMINDER_KIND,  # the day before a workshop
    draft_plan.KIND,  # a new draft version to review
    training_notices.KIND_OFFER,  # a training place for schools
    training_notices.KIND_SUMMARY,  # the monthly training summary for staff
    progress_notices.KIND,  # a followed measure moved
    member_notices.KIND_REQUEST,  # the contact asked to confirm a person using the link
    member_notices.KIND_DECISION,  # that person told the answer
)


def policies() -> dict[str, KindPolicy]:
    """Each kind's policy, in the order of KINDS."""
    found = {reminder_plan.KIND: reminders.policy(), BROADCAST: broadcast.policy()}
    found[digests.KIND] = digests.policy()
    found |= workshops.policies()
    found |= draft.policies()
    found |= training_notices.policies()
    found |= progress_notices.policies()
    found |= member_notices.policies()
    assert set(found) == set(KINDS), "every kind is registered in KINDS and has a policy"
    return {kind: found[kind] for kind in KINDS}
