"""Benchmark of erasure and the retention purge: `make bench` prints the figures; exit 1 over
the targets.

2,000 people with 30 answers, a problem report, a mark, a registration and outbox rows each,
in a real SQLite file: 50 single erasures as /loeschen does them (one transaction each, then the
WAL checkpoint), then the purge of everyone else. Targets: an erasure within 0.5 s (the person
waits for the reply), the purge of 2,000 people within 120 s (a job, nobody waits).
`python -m bench.privacy 500` measures fewer people.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot import privacy
from bot.consultation.model import load_consultation
from bot.settings import DEFAULT_CONSULTATION, Settings
from storage.db import Database

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PURGE = datetime(2028, 1, 1, 9, 0, tzinfo=UTC)
ERASURES = 50
ERASE_TARGET = 0.5  # seconds, the slowest single erasure
PURGE_TARGET = 120.0  # seconds for 2,000 people
FIRST_ID = 1_000_001


async def _fill(db: Database, count: int) -> None:
    stamp = NOW.isoformat(timespec="seconds")
    async with db.write() as conn:
        for n in range(count):
            tg = FIRST_ID + n
            cursor = await conn.execute(
                "INSERT INTO organisations (name, group_id, created_at) VALUES (?, 'retail', ?)",
                (f"Laden {n}", stamp),
            )
            org = cursor.lastrowid
            cursor = await conn.execute(
                "INSERT INTO people (telegram_id, language, consent_version, consented_at,"
                " group_id, organisation_id, onboarded_at, created_at, updated_at)"
                " VALUES (?, 'de', 'v1', ?, 'retail', ?, ?, ?, ?)",
                (tg, stamp, org, stamp, stamp, stamp),
            )
            person = int(cursor.lastrowid or 0)
            await conn.execute(
                "INSERT INTO responses (person_id, questionnaire_id, started_at)"
                " VALUES (?, 'sq-handel', ?)",
                (person, stamp),
            )
            await conn.executemany(
                "INSERT INTO answers (person_id, questionnaire_id, question_id, value,"
                " answered_at) VALUES (?, 'sq-handel', ?, ?, ?)",
                [(person, f"q{q}", f'"Antwort {n} {q}"', stamp) for q in range(30)],
            )
            cursor = await conn.execute(
                "INSERT INTO problems (person_id, action_field, title, description, status,"
                " created_at, submitted_at) VALUES (?, 'handel', ?, 'Beschreibung', 'open', ?, ?)",
                (person, f"Problem {n}", stamp, stamp),
            )
            if n:
                await conn.execute(
                    "INSERT INTO problem_votes (problem_id, person_id, created_at)"
                    " VALUES (?, ?, ?)",
                    (cursor.lastrowid, person - 1, stamp),
                )
            await conn.execute(
                "INSERT INTO registrations (event_id, person_id, status, position, created_at,"
                " updated_at) VALUES ('ws-handel', ?, ?, ?, ?, ?)",
                (person, "registered" if n < 15 else "waiting", n + 1, stamp, stamp),
            )
            await conn.executemany(
                "INSERT INTO outbox (recipient, kind, due_at, dedupe_key, status, created_at)"
                " VALUES (?, ?, ?, ?, 'sent', ?)",
                [(tg, kind, stamp, f"{kind}:{tg}", stamp) for kind in ("reminder", "broadcast")],
            )


@dataclass(frozen=True)
class Erasure:
    """One erasure's times (seconds) and the purge of the rest."""

    median: float
    slowest: float
    purge: float
    purged: int
    left: int

    def met(self, count: int) -> bool:
        return self.slowest <= ERASE_TARGET and self.purge <= PURGE_TARGET * count / 2000


async def measure(count: int) -> Erasure:
    """Erase ERASURES people one by one, purge the rest (`make bench`'s table shows it)."""
    consultation = load_consultation(DEFAULT_CONSULTATION)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"TELEGRAM_BOT_TOKEN": "1:bench", "AGENDA_DB": str(Path(tmp) / "bench.sqlite3")}
        settings = Settings.from_env(env)
        db = await Database.open(settings.db_path)
        try:
            await _fill(db, count)
            single = []
            for person_id in range(1, ERASURES + 1):
                started = time.perf_counter()
                await privacy.erase(db, consultation, settings, person_id, NOW)
                single.append(time.perf_counter() - started)
            started = time.perf_counter()
            purged = await privacy.purge(db, consultation, settings, PURGE, via="cli")
            purge_wall = time.perf_counter() - started
            left = await db.fetchone("SELECT count(*) AS n FROM people")
        finally:
            await db.close()
    return Erasure(
        statistics.median(single),
        max(single),
        purge_wall,
        purged.people,
        int(left["n"]) if left else -1,
    )


async def run(count: int) -> bool:
    """Erase ERASURES people one by one, purge the rest; print the figures."""
    found = await measure(count)
    met = found.met(count)
    print(f"erasure of {count:,} people (30 answers, a report, a registration each)")
    print(
        f"  one erasure     median {found.median * 1000:.0f} ms, slowest "
        f"{found.slowest * 1000:.0f} ms over {ERASURES} (target {ERASE_TARGET * 1000:.0f} ms)"
    )
    print(
        f"  purge           {found.purged:,} people in {found.purge:.1f} s "
        f"({found.purge / max(found.purged, 1) * 1000:.0f} ms each); left: {found.left}"
    )
    print(f"  result          {'OK' if met else 'OVER TARGET'}")
    return met


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    return 0 if asyncio.run(run(count)) else 1


if __name__ == "__main__":
    sys.exit(main())
