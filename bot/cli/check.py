"""``agenda-bot check FILE``: validate a consultation file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import Env, Subparsers


def register(sub: Subparsers) -> None:
    """Add ``check``."""
    parser = sub.add_parser("check", help="Befragungsdatei prüfen (validate a consultation file)")
    parser.add_argument("file", type=Path, help="die YAML-Datei (the YAML file)")
    parser.set_defaults(func=check)


def check(args: argparse.Namespace, env: Env) -> int:
    """Print the file's errors with their places, or a one-line summary."""
    from bot.consultation import ConsultationError, load_consultation

    path: Path = args.file
    try:
        consultation = load_consultation(path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        print(f"{path}: {len(error.errors)} error(s)", file=sys.stderr)
        return 1
    questions = sum(len(q.questions) for q in consultation.questionnaires)
    print(
        f"{path}: ok - {len(consultation.questionnaires)} questionnaires, {questions} questions, "
        f"{len(consultation.events)} events"
    )
    return 0
