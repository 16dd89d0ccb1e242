"""What `agenda-bot demo` prints and writes: the collected figures, read back from the database
(in German, for the town), and the documents staff would fetch, written to the output folder."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.consultation.model import Consultation
from bot.context import Services
from bot.demo.phases import Phases
from storage import people, stats
from storage import problems as problem_store

if TYPE_CHECKING:
    from bot.demo.people import Persona
    from bot.demo.simulation import Simulation
    from bot.fake_telegram import FakeBotApi


def table(title: str, headers: list[str], rows: list[list[object]]) -> None:
    """Print a plain text table: figures right-aligned, texts left-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    numeric = [
        all(r[i].isdigit() or r[i] in ("", "–") or r[i].endswith(" %") for r in cells)
        for i in range(len(headers))
    ]

    def line(values: list[str]) -> str:
        padded = [
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    print(f"\n{title}\n{'=' * len(title)}")
    print(line(headers))
    print(line(["-" * w for w in widths]))
    for row in cells:
        print(line(row))


STATUS_WORDS = {"done": "erledigt", "late": "im Verzug", "on_time": "im Zeitplan"}


async def report_phases(phases: Phases) -> None:
    """Print what the later phases left in the database, in German."""
    from bot.draft_summary import latest_review
    from bot.progress import build_progress, published_plan
    from storage import workshops as registrations

    sim, tally = phases.sim, phases.tally
    db, consultation = sim.services.db, sim.consultation
    rows: list[list[object]] = []
    for event in consultation.events:
        found = await registrations.of_event(db, event.id)
        rows.append(
            [
                event.title.get("de"),
                event.capacity,
                sum(r.status == "registered" for r in found),
                sum(r.status == "waiting" for r in found),
            ]
        )
    table(
        "Anmeldungen zu Auftakt und Workshops",
        ["Veranstaltung", "Plätze", "angemeldet", "Warteliste"],
        rows,
    )
    print(f"Abgemeldet: {tally.cancelled} · von der Warteliste nachgerückt: {tally.moved_up}")

    review = await latest_review(db, lambda group, organisation: organisation or group, None)
    rows = []
    if review is not None:
        for m in review.measures:
            score = f"{m.score:.1f}".replace(".", ",") if m.score is not None else "–"
            rows.append(
                [
                    m.title,
                    m.raters,
                    score,
                    len(m.comments),
                    "ja" if m.priority else "",
                    "ja" if m.adopted else "",
                ]
            )
    table(
        "Entwurf des Handlungskonzepts: Bewertungen (1 bis 5)",
        ["Maßnahme", "Bewertende", "Wertung", "Kommentare", "Priorität", "im Plan"],
        rows,
    )

    plan = await published_plan(db, consultation, sim.services.today())
    progress = await build_progress(db, plan, sim.services.consultation.zone)
    rows = [
        [
            m.title,
            f"{sum(s.reached is not None for s in m.milestones)} von {len(m.milestones)}",
            STATUS_WORDS.get(m.status, m.status),
        ]
        for m in progress.measures
    ]
    table(
        f"Zeit-Maßnahmen-Plan: Stand am {progress.generated.strftime('%d.%m.%Y')}",
        ["Maßnahme", "Meilensteine erreicht", "Stand"],
        rows,
    )


async def report(
    sim: Simulation,
    personas: list[Persona],
    api: FakeBotApi,
    errors: list[BaseException],
    started: float,
    phases: Phases,
) -> int:
    """Print what the bot collected (from the database) and the checks; return the exit code."""
    db, consultation, tally = sim.services.db, sim.consultation, sim.tally
    group_titles = {g.id: g.title.get("de") for g in consultation.groups}
    by_group = {row.group_id: row.count for row in await stats.people_by_group(db)}
    progress = await stats.progress(db)
    leftovers = [tid for tid in tally.refused if await people.by_telegram_id(db, tid)]

    print(f"Simulation Digitale Agenda {consultation.town}")
    print(
        f"Personen simuliert: {len(personas)} und eine Mitarbeiterin der Stadt"
        f" · eingewilligt und Profil fertig (mit ihr): "
        f"{sum(by_group.values())} · Einwilligung abgelehnt: {len(tally.refused)} "
        f"(davon gespeichert: {len(leftovers)})"
    )
    print(
        f"Englisch: {sum(p.lang == 'en' for p in personas)} · Umfragen geöffnet: {tally.opened}, "
        f"abgeschlossen: {tally.finished}, liegen gelassen: {tally.left_unfinished} · "
        f"übersprungen: {tally.skipped} · „Zurück“: {tally.went_back} · "
        f"korrigiert: {tally.edited} · Tippfehler: {tally.mistyped}"
    )

    rows: list[list[object]] = []
    for group in consultation.groups:
        mine = [r for r in progress if r.group_id == group.id]
        begun, done = sum(r.started for r in mine), sum(r.completed for r in mine)
        share = f"{100 * done / begun:.0f} %" if begun else "–"
        rows.append([group_titles[group.id], by_group.get(group.id, 0), begun, done, share])
    table(
        "Teilnahme nach Gruppe", ["Gruppe", "Personen", "begonnen", "abgeschlossen", "Quote"], rows
    )

    rows = []
    for qn in consultation.questionnaires:
        mine = [r for r in progress if r.questionnaire_id == qn.id]
        rows.append(
            [
                qn.title.get("de"),
                sum(r.started for r in mine),
                sum(r.completed for r in mine),
                sum(r.answers for r in mine),
            ]
        )
    table("Antworten je Umfrage", ["Umfrage", "begonnen", "abgeschlossen", "Antworten"], rows)

    rows = []
    for count in await stats.problems_by_field(db):
        rows.append([sim.field_title(count.action_field, "de"), count.problems, count.votes])
        top = await problem_store.open_in_field(db, count.action_field, limit=3)
        rows.extend([f"  {p.title}", "", p.votes] for p in top)
    table(
        "Problemmeldungen je Handlungsfeld (Top 3)",
        ["Handlungsfeld / Meldung", "Meldungen", "betrifft uns auch"],
        rows,
    )

    print(
        f"Gemeldet: {tally.reports} · statt einer Doppelung „betrifft uns auch“ gesagt: "
        f"{tally.joined} (der Bot bot eine ähnliche Meldung an) · von der Stadt "
        f"zusammengeführt: {phases.tally.merged}"
    )
    await report_phases(phases)

    silent = await stats.silent_organisations(db)
    table(
        f"Eingeladen, aber keine Umfrage abgeschlossen ({len(silent)})",
        ["Organisation", "Gruppe", "Link geöffnet"],
        [
            [o.name, group_titles.get(o.group_id, o.group_id), "ja" if o.joined else "nein"]
            for o in silent
        ],
    )

    failed = [c for c in api.calls if not c.ok]
    sent = sum(
        1 for c in api.calls if c.ok and c.method in ("sendMessage", "sendPhoto", "sendDocument")
    )
    edits = sum(1 for c in api.calls if c.ok and c.method.startswith("editMessage"))
    print("\nPrüfung\n=======")
    print(f"Anfragen an Telegram: {len(api.calls)}, davon abgewiesen: {len(failed)}")
    kinds = Counter(f"{c.method} ({c.error_code}): {c.description}" for c in failed)
    for kind, times in kinds.most_common():
        print(f"  {times} x {kind:.150}")
    print(f"Unerwartete Fehler im Bot: {len(errors)}")
    for error in errors[:10]:
        print(f"  {type(error).__name__}: {error}")
    print(f"Stellen, an denen eine simulierte Person nicht weiterkam: {len(tally.issues)}")
    for issue in tally.issues[:10]:
        print(f"  {issue}")
    print(f"Nachrichten vom Bot: {sent} (dazu {edits} Änderungen an Nachrichten)")
    print(f"Dauer: {time.perf_counter() - started:.1f} s")
    ok = not failed and not errors and not tally.issues and not leftovers
    print("Ergebnis: OK" if ok else "Ergebnis: FEHLER")
    return 0 if ok else 1


async def write_documents(
    services: Services, consultation: Consultation, clock: Callable[[], datetime], out_dir: Path
) -> None:
    """The briefing packs of all workshops, the export, the plan and the progress report, as
    staff would fetch them (/digest, /export, /plan, /fortschritt)."""
    from bot.documents.kinds import PACK, PLAN, PROGRESS
    from bot.documents.pipeline import render_in_worker, write_document
    from bot.documents.worker import RenderPool
    from bot.documents.xlsx import save_xlsx
    from bot.exports import build_export, export_file_name
    from bot.packs import build_pack
    from bot.progress import build_progress, published_plan

    started = time.perf_counter()
    packs = [
        await build_pack(services.db, consultation, w.id, services.today())
        for w in consultation.workshops
    ]
    export = await build_export(services.db, consultation, clock(), services.consultation.zone)
    plan = await published_plan(services.db, consultation, services.today())
    progress = await build_progress(services.db, plan, services.consultation.zone)
    with RenderPool() as pool:  # two workers at once, as the bot has
        rendered = await asyncio.gather(*(render_in_worker(pool, PACK, pack) for pack in packs))
        documents = [
            (await render_in_worker(pool, PLAN, plan), PLAN.stem(plan)),
            (await render_in_worker(pool, PROGRESS, progress), PROGRESS.stem(progress)),
        ]
    print("\nUnterlagen (Briefing-Packs, Export, Plan und Fortschrittsbericht)")
    print("=================================================================")
    for pack, document in zip(packs, rendered, strict=True):
        for path in write_document(document, out_dir, PACK.stem(pack)):
            print(path)
    print(await asyncio.to_thread(save_xlsx, export, out_dir / export_file_name(export)))
    for document, key in documents:
        for path in write_document(document, out_dir, key):
            print(path)
    print(f"Dauer: {time.perf_counter() - started:.1f} s")
