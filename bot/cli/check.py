"""``agenda-bot check [FILE] [--db DB]``: validate a consultation file; with a database, warn about
questions that have answers there but are gone from the file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Env, Subparsers, checked_database
from bot.cli.texts import text

if TYPE_CHECKING:
    from bot.consultation.model import Consultation


def register(sub: Subparsers) -> None:
    """Add ``check``."""
    parser = sub.add_parser("check", help=text("check_help"))
    parser.add_argument("file", type=Path, nargs="?", help=text("check_file_help"))
    parser.add_argument("--db", type=Path, help=text("check_db_help"))
    parser.set_defaults(func=check)


def check(args: argparse.Namespace, env: Env) -> int:
    """Print the file's errors with their places, or a one-line summary (and any warnings)."""
    from bot.consultation.model import ConsultationError, load_consultation

    path: Path = args.file or env.settings().consultation_path
    try:
        consultation = load_consultation(path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        print(text("check_errors", path=path, errors=len(error.errors)), file=sys.stderr)
        return 1
    if args.db is not None:
        checked_database(args.db, hint=text("check_db_missing_hint"))
        for warning in asyncio.run(vanished_answers(args.db, consultation)):
            print(text("check_warning", path=path, warning=warning), file=sys.stderr)
    ok = text(
        "check_ok",
        path=path,
        questionnaires=len(consultation.questionnaires),
        questions=sum(len(q.questions) for q in consultation.questionnaires),
        events=len(consultation.events),
    )
    print(ok)
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
        warnings.append(
            text(
                "check_vanished",
                questionnaire_id=row.questionnaire_id,
                question_id=row.question_id,
                questionnaire_known=questionnaire is not None,
                answers=row.answers,
            )
        )
    return warnings
