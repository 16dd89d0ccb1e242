"""One registry of outbox kinds: the dispatcher sends exactly these, /ausgang names each one."""

from __future__ import annotations

from datetime import timedelta

from bot.outbox import kinds as outbox_kinds
from bot.texts import Texts
from storage import outbox
from tests.conftest import STAFF_ID, Harness


def test_every_kind_has_a_policy_and_a_label_in_both_languages() -> None:
    texts = Texts()
    policies = outbox_kinds.policies()
    assert list(policies) == list(outbox_kinds.KINDS)
    assert len(set(outbox_kinds.KINDS)) == len(outbox_kinds.KINDS) == 11
    for lang in ("de", "en"):
        labels = [texts.render(lang, "outbox_kind", kind=kind) for kind in outbox_kinds.KINDS]
        # A label, not the row's technical name, and no two kinds alike.
        pairs = zip(labels, outbox_kinds.KINDS, strict=True)
        assert all(label and label != kind for label, kind in pairs)
        assert len(set(labels)) == len(labels)


async def test_the_running_bot_dispatches_every_registered_kind(bot: Harness) -> None:
    dispatcher = bot.app.bot_data.dispatcher
    assert dispatcher is not None
    assert list(dispatcher.kinds) == list(outbox_kinds.KINDS)


async def test_ausgang_names_every_kind_in_the_registry_order(bot: Harness) -> None:
    now = bot.clock()
    for number, kind in enumerate(outbox_kinds.KINDS):
        await outbox.enqueue(
            bot.db,
            recipient=700_000 + number,
            kind=kind,
            payload={},
            due_at=now + timedelta(days=400),
            dedupe_key=f"test:{kind}",
            now=now,
        )
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/ausgang")
    report = staff.last.text or ""
    texts = Texts()
    labels = [texts.render("de", "outbox_kind", kind=kind) for kind in outbox_kinds.KINDS]
    for label in labels:
        assert f"{label}:" in report, label
    assert [report.index(f"{label}:") for label in labels] == sorted(
        report.index(f"{label}:") for label in labels
    )
    assert not any(f"{kind}:" in report for kind in outbox_kinds.KINDS)
