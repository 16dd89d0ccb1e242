"""The draft-review summary in the briefing pack and in the export, from known ratings."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot import draft
from bot.documents.kinds import PACK
from bot.documents.pipeline import render_html
from bot.export_sheets import COMMENT_COLUMNS, DRAFT_COLUMNS
from bot.exports import build_export
from bot.packs import build_pack
from storage import draft as store
from storage import organisations, people
from storage.db import Database
from tests.conftest import STAFF_ID, START, Harness
from tests.test_draft import DRAFT

NAMED, SECRET = 7701111, 7702222


async def _person(db: Database, telegram_id: int, organisation: str, named: bool) -> int:
    person = await people.record_consent(db, telegram_id, "de", "2026-12-02", now=START)
    await people.set_group(db, person.id, "firm", now=START)
    await organisations.set_own_name(db, person.id, organisation, now=START)
    found = await people.by_id(db, person.id)
    assert found is not None and found.organisation_id is not None
    await organisations.set_may_be_named(db, found.organisation_id, named)
    await people.mark_onboarded(db, person.id, now=START)
    return person.id


async def _reviewed(bot: Harness) -> tuple[int, int, int, int]:
    """Version 1 rated and commented by a named and an anonymous firm; version 2 unrated."""
    named = await _person(bot.db, NAMED, "Blumen Müller", named=True)
    secret = await _person(bot.db, SECRET, "Geheim GmbH", named=False)
    now = bot.clock()
    parsed = draft.load_draft(DRAFT.format(n=1), bot.consultation)
    v1 = await draft.store_draft(bot.db, parsed, "", STAFF_ID, now)
    await draft.publish(bot.db, v1, now)
    measures = {m.measure_id: m for m in await store.measures(bot.db, v1)}
    fenster = measures["h-fenster"].id
    for dim, a, b in (("w", 5, 2), ("n", 4, 4), ("m", 3, 2)):
        await store.rate(bot.db, fenster, named, dim, a, now)
        await store.rate(bot.db, fenster, secret, dim, b, now)
    await store.rate(bot.db, measures["v-termine"].id, named, "w", 5, now)
    await store.comment(bot.db, fenster, named, "Wochenmärkte aufnehmen", now)
    await store.comment(bot.db, fenster, secret, "Zu teuer <b>für uns</b>", now)
    await store.mark(bot.db, fenster, "adopted", True)
    return v1, named, secret, fenster


async def test_the_pack_shows_the_review_of_the_workshops_field(bot: Harness) -> None:
    await _reviewed(bot)
    pack = await build_pack(bot.db, bot.consultation, "ws-handel", bot.clock().date())
    assert pack.draft is not None
    [fenster] = pack.draft.measures  # only the retail field's measure
    assert (fenster.measure_id, fenster.raters) == ("h-fenster", 2)
    assert (fenster.desirable, fenster.necessary, fenster.feasible) == (3.5, 4, 2.5)
    assert fenster.score == pytest.approx(10 / 3)
    assert fenster.adopted and not fenster.priority
    assert [(c.text, c.source) for c in fenster.comments] == [
        ("Wochenmärkte aufnehmen", "Blumen Müller"),
        ("Zu teuer <b>für uns</b>", "ein Unternehmen aus Hagenow"),
    ]
    html = render_html(PACK, pack, with_charts=False)
    assert "Rückmeldungen zum Entwurf" in html
    assert '<th scope="row">Digitales Schaufenster<br>' in html
    assert '<td class="num long">2</td>' in html  # raters (on a phone under the name)
    assert '3,5</td><td class="num">4</td><td class="num">2,5</td>' in html
    assert "Zu teuer &lt;b&gt;für uns&lt;/b&gt;" in html
    assert "Geheim GmbH" not in html and "Online-Termine" not in html


async def test_the_export_has_a_row_per_measure_and_per_comment(bot: Harness) -> None:
    v1, named, secret, _ = await _reviewed(bot)
    parsed = draft.load_draft(DRAFT.format(n=2), bot.consultation)
    v2 = await draft.store_draft(bot.db, parsed, "", STAFF_ID, bot.clock())
    await draft.publish(bot.db, v2, bot.clock())
    export = await build_export(bot.db, bot.consultation, bot.clock(), bot.consultation.zone)
    measures = export.table("Entwurf")
    assert measures.columns == DRAFT_COLUMNS
    rows = {(r[0], r[1]): dict(zip(DRAFT_COLUMNS, r, strict=True)) for r in measures.rows}
    assert len(rows) == 6  # three measures in each of two versions
    fenster = rows[(v1, "h-fenster")]
    assert fenster["action_field"] == "Einzelhandel / Gewerbe"
    assert (fenster["raters"], fenster["mean_desirable"], fenster["mean_necessary"]) == (2, 3.5, 4)
    assert (fenster["mean_feasible"], fenster["score"]) == (2.5, 3.33)
    assert (fenster["priority"], fenster["adopted"]) == ("Nein", "Ja")
    termine = rows[(v1, "v-termine")]
    assert (termine["raters"], termine["mean_desirable"], termine["mean_necessary"]) == (1, 5, None)
    assert rows[(v2, "h-fenster")]["raters"] == 0
    comments = export.table("Kommentare")
    assert comments.columns == COMMENT_COLUMNS
    assert [row[:6] for row in comments.rows] == [
        (
            v1,
            "h-fenster",
            f"P{named:04d}",
            "Unternehmen / Gewerbe",
            "Blumen Müller",
            "Wochenmärkte aufnehmen",
        ),
        (
            v1,
            "h-fenster",
            f"P{secret:04d}",
            "Unternehmen / Gewerbe",
            "ein Unternehmen aus Hagenow",
            "Zu teuer <b>für uns</b>",
        ),
    ]
    assert all(isinstance(row[6], datetime) for row in comments.rows)
    info = {key: value for key, value in export.table("Info").rows}
    assert (info["draft_measures"], info["draft_comments"]) == (6, 2)
    assert "Geheim GmbH" not in repr(export.tables)
