"""The draft action concept: the file and its errors, versions, review in the chat, ranking."""

from __future__ import annotations

import pytest

from bot import draft
from bot.consultation.model import Consultation
from storage import draft as store
from storage import people
from storage import workshops as registrations
from tests.conftest import STAFF_ID, Harness, onboard

DRAFT = """
title: Entwurf Handlungskonzept (Fassung {n})
review_until: 2026-12-10
measures:
  - id: v-termine
    action_field: verwaltung
    title: Online-Termine im Bürgerbüro
    description: Termine online buchen, mit Erinnerung.
    goal: 60 % der Termine online.
    horizon: kurz
    responsible: Hauptamt
  - id: t-wlan
    action_field: tourismus
    title: Freies WLAN in der Altstadt
    description: WLAN am Lindenplatz und am Bahnhof.
    goal: Fünf Zugangspunkte.
    horizon: 2028
    responsible: Stadtwerke
  - id: h-fenster
    action_field: handel
    title: Digitales Schaufenster
    description: Gemeinsamer Online-Auftritt der Geschäfte.
    goal: 40 Geschäfte machen mit.
    horizon: mittel
    responsible: Gewerbeverein
"""

BROKEN = """
title: Entwurf
review_until: bald
measures:
  - id: v-termine
    action_field: verwaltung
    title: Termine
    description: D
    goal: G
    horizon: kurz
    responsible: Hauptamt
  - id: v-termine
    action_field: verwaltung
    title: Doppelt
    description: D
    goal: G
    horizon: bald
    responsible: R
  - id: x
    action_field: handle
    title: T
    description: D
    goal: G
    horizon: lang
"""


def test_a_draft_with_errors_names_every_place(consultation: Consultation) -> None:
    with pytest.raises(draft.DraftError) as raised:
        draft.load_draft(BROKEN, consultation, "entwurf.yaml")
    errors = raised.value.errors
    assert "review_until: expected a date like 2027-04-30, got 'bald'" in errors
    assert "measures[1].id: duplicate measure id 'v-termine' (see measures[0])" in errors
    assert any(e.startswith("measures[1].horizon: expected kurz, mittel, lang") for e in errors)
    assert any(
        e.startswith("measures[2].action_field: unknown action field 'handle'") for e in errors
    )
    assert "measures[2].responsible: missing (required)" in errors
    parsed = draft.load_draft(DRAFT.format(n=1), consultation)
    assert [m.horizon for m in parsed.measures] == ["kurz", "2028", "mittel"]


async def _participant(bot: Harness, user_id: int, name: str) -> int:
    user = bot.user(user_id, name)
    await onboard(user, organisation=f"Laden {name}")
    person = await people.by_telegram_id(bot.db, user_id)
    assert person is not None
    await registrations.register(bot.db, "ws-handel", person.id, 15, bot.clock())
    return person.id


async def _publish_by_chat(bot: Harness, text: str) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send_document("entwurf.yaml", text.encode())
    await staff.click("Veröffentlichen")
    dispatcher = bot.app.bot_data.dispatcher
    assert dispatcher is not None
    await dispatcher.wait_idle()


async def test_staff_see_the_errors_of_a_file_sent_in_the_chat(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send_document("entwurf.yaml", BROKEN.encode())
    reply = staff.last.text or ""
    assert "nichts veröffentlicht" in reply
    assert "measures[2].action_field: unknown action field 'handle'" in reply
    assert await store.current(bot.db) is None


async def test_participants_rate_comment_by_reply_and_are_refused_after_the_deadline(
    bot: Harness,
) -> None:
    anna_id = await _participant(bot, 800_001, "Anna")
    await _publish_by_chat(bot, DRAFT.format(n=1))
    anna = bot.user(800_001, "Anna")
    assert "3 Maßnahmen" in (anna.last.text or "")  # the notice, through the outbox
    await anna.click("📄 Maßnahmen zeigen")
    cards = [m for m in anna.messages if m.buttons and "Schaufenster" in (m.text or "")]
    card = cards[-1].message_id
    assert anna.buttons(card)[:5] == ["💡1", "💡2", "💡3", "💡4", "💡5"]
    assert await anna.click("💡5", card) == "Gespeichert."
    await anna.click("❗4", card)
    await anna.click("💡3", card)  # changed her mind
    assert "💡[3]" in anna.buttons(card)
    version = await store.current(bot.db)
    assert version is not None
    fenster = next(
        m for m in await store.measures(bot.db, version.id) if m.measure_id == "h-fenster"
    )
    assert await store.scores(bot.db, fenster.id, anna_id) == {"w": 3, "n": 4}
    await anna.reply_to(card, "Bitte auch die Wochenmärkte aufnehmen.")
    assert "Kommentar zu „Digitales Schaufenster“ ist gespeichert" in (anna.last.text or "")
    assert await store.comments(bot.db, fenster.id) == ["Bitte auch die Wochenmärkte aufnehmen."]
    bot.clock.advance(days=10)  # past 10.12. 23:59 local
    assert await anna.click("🔧5", card) == "Die Frist ist abgelaufen."
    await anna.reply_to(card, "Noch etwas")
    assert "Frist ist abgelaufen" in (anna.last.text or "")
    assert await store.scores(bot.db, fenster.id, anna_id) == {"w": 3, "n": 4}


async def test_a_new_version_starts_empty_and_the_old_keeps_its_ratings(bot: Harness) -> None:
    await _participant(bot, 800_001, "Anna")
    bernd = bot.user(800_002, "Bernd")
    await onboard(bernd, organisation="Hotel Bernd")
    await bernd.send("/entwurf")  # opts in before anything is published
    assert "noch nicht veröffentlicht" in (bernd.last.text or "")
    await _publish_by_chat(bot, DRAFT.format(n=1))
    assert "Fassung 1" in (bernd.last.text or "")
    await bernd.click("📄 Maßnahmen zeigen")
    old_card = next(m for m in bernd.messages if "WLAN" in (m.text or "")).message_id
    await bernd.click("🔧2", old_card)
    v1 = await store.current(bot.db)
    assert v1 is not None
    await _publish_by_chat(bot, DRAFT.format(n=2))
    v2 = await store.current(bot.db)
    assert v2 is not None and v2.id != v1.id
    assert "Fassung 2" in (bernd.last.text or "")
    old = draft.rank(await store.measures(bot.db, v1.id), await store.stats(bot.db, v1.id))
    new = draft.rank(await store.measures(bot.db, v2.id), await store.stats(bot.db, v2.id))
    assert old["tourismus"][0].raters == 1 and old["tourismus"][0].means["m"] == 2
    assert all(r.raters == 0 and r.score is None for ranked in new.values() for r in ranked)
    assert await bernd.click("🔧4", old_card) == (
        "Es gibt eine neuere Fassung des Entwurfs – bitte /entwurf."
    )


async def test_the_ranking_follows_from_known_ratings(bot: Harness) -> None:
    ids = [await _participant(bot, 800_000 + n, f"P{n}") for n in range(1, 4)]
    version_id = await draft.store_draft(
        bot.db, draft.load_draft(DRAFT.format(n=1), bot.consultation), "", STAFF_ID, bot.clock()
    )
    await draft.publish(bot.db, version_id, bot.clock())
    measures = {m.measure_id: m for m in await store.measures(bot.db, version_id)}
    # v-termine: everyone 4/4/4; a second Verwaltung measure does not exist, so compare across
    # fields: h-fenster gets 5, 5, 2 on w (mean 4) and 5 on n and m from one person only.
    for pid in ids:
        for dim in draft.DIMENSIONS:
            await store.rate(bot.db, measures["v-termine"].id, pid, dim, 4, bot.clock())
    for pid, score in zip(ids, (5, 5, 2), strict=True):
        await store.rate(bot.db, measures["h-fenster"].id, pid, "w", score, bot.clock())
    await store.rate(bot.db, measures["h-fenster"].id, ids[0], "n", 5, bot.clock())
    await store.rate(bot.db, measures["h-fenster"].id, ids[0], "m", 5, bot.clock())
    ranking = draft.rank(measures.values(), await store.stats(bot.db, version_id))
    termine = ranking["verwaltung"][0]
    assert termine.score == 4 and termine.raters == 3 and termine.spread == 0
    assert termine.agree == 1
    fenster = ranking["handel"][0]
    # means: w (5+5+2)/3 = 4, n 5, m 5 -> score 14/3; single scores 5,5,2,5,5
    assert fenster.score == pytest.approx(14 / 3)
    assert fenster.spread == pytest.approx(1.2)  # sqrt(104/5 - (22/5)**2)
    assert fenster.agree == pytest.approx(0.8)
    assert ranking["tourismus"][0].score is None
    # Ties: the measure with more raters comes first.
    tied = draft.rank(
        [measures["v-termine"], measures["h-fenster"]],
        {
            measures["v-termine"].id: store.MeasureStats({"w": 1}, {"w": 4}, 16, 1, 1, 0),
            measures["h-fenster"].id: store.MeasureStats({"w": 2}, {"w": 8}, 32, 2, 2, 0),
        },
    )
    assert tied["verwaltung"][0].score == tied["handel"][0].score == 4


async def test_staff_mark_priority_and_adoption_from_the_ranking(bot: Harness) -> None:
    await _publish_by_chat(bot, DRAFT.format(n=1))
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/prioritaeten")
    assert any("Standardabweichung" in (m.text or "") for m in staff.messages)
    assert "Digitales Schaufenster" in (staff.last.text or "")
    assert await staff.click("☆ Priorität h-fenster") == "Als Priorität markiert."
    await staff.click("◻️ Plan h-fenster")
    assert "⭐ ✅ Digitales Schaufenster" in (staff.last.text or "")
    version = await store.current(bot.db)
    assert version is not None
    marked = {m.measure_id: m for m in await store.measures(bot.db, version.id)}
    assert marked["h-fenster"].priority and marked["h-fenster"].adopted
    assert not marked["v-termine"].priority and not marked["v-termine"].adopted
    await staff.click("⭐ Priorität h-fenster")  # a second tap takes the mark back
    assert not (await store.measure(bot.db, marked["h-fenster"].id)).priority  # type: ignore[union-attr]


async def test_only_staff_publish_or_see_the_priorities(bot: Harness) -> None:
    anna = bot.user(800_001, "Anna")
    await onboard(anna)
    await anna.send_document("entwurf.yaml", DRAFT.format(n=1).encode())
    assert "nur für die Mitarbeitenden" in (anna.last.text or "")
    await anna.send("/prioritaeten")
    assert "nur für die Mitarbeitenden" in (anna.last.text or "")
    assert await store.current(bot.db) is None
