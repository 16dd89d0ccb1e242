"""``agenda-bot check [FILE] [--db DB]``: validate a consultation file; with a database, warn about
questions that have answers there but are gone from the file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Env, Subparsers, checked_database

if TYPE_CHECKING:
    from bot.consultation.model import Consultation


def register(sub: Subparsers) -> None:
    """Add ``check``."""
    parser = sub.add_parser("check", help="Befragungsdatei prüfen (validate a consultation file)")
    parser.add_argument(
        "file",
        type=Path,
        nargs="?",
        help="die YAML-Datei; ohne: AGENDA_CONSULTATION oder die mitgelieferte Hagenow-Datei"
        " (the YAML file; default: AGENDA_CONSULTATION or the shipped Hagenow file)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="Datenbank: warnen, wenn eine Frage mit Antworten dort in der Datei fehlt"
        " (a database: warn when a question with answers is gone from the file)",
    )
    parser.set_defaults(func=check)


def check(args: argparse.Namespace, env: Env) -> int:
    """Print the file's errors with their places, or a one-line summary (and any warnings)."""
    from bot.consultation.model import ConsultationError, load_consultation

    path: Path = args.file or env.settings().consultation_path
    try:
        consultation = load_consultation(path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        print(f"{path}: {len(error.errors)} error(s)", file=sys.stderr)
        return 1
    if args.db is not None:
        checked_database(args.db, hint="check the path given to --db")
        for warning in asyncio.run(vanished_answers(args.db, consultation)):
            print(f"{path}: Warnung (warning): {warning}", file=sys.stderr)
    questions = sum(len(q.questions) for q in consultation.questionnaires)
    print(
        f"{path}: ok - {len(consultation.questionnaires)} questionnaires, {questions} questions, "
        f"{len(consultation.events)} events"
    )
    return 0


async def vanished_answers(db_path: Path, consultation: Consultation) -> list[str]:
    """One line per question that has answers in the database but is not in the file."""
    from storage.db import Database
    from storage.stats import answers_per_question

    db = await Database.open(db_path)
    try:
        counts = await answers_per_question(db)
    finally:
        await db.close()
    warnings = []
    for row in counts:
        questionnaire = consultation.questionnaire(row.questionnaire_id)
        if questionnaire is not None and questionnaire.question(row.question_id) is not None:
            continue
        where = (
            f"Frage {row.question_id!r} in {row.questionnaire_id!r}"
            if questionnaire is not None
            else f"Fragebogen {row.questionnaire_id!r} (Frage {row.question_id!r})"
        )
        warnings.append(
            f"{where} fehlt in der Datei, hat aber {row.answers} Antwort(en) in der Datenbank –"
            f" sie fehlen dann in Unterlagen und Export; Kennung zurück ändern? (question with"
            f" {row.answers} answer(s) in the database is gone from the file: renamed?)"
        )
    return warnings
