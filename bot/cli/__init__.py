"""The command line: ``agenda-bot COMMAND``; one module of this package per command group.

Adding a command: write ``bot/cli/<group>.py`` with ``register(sub: Subparsers) -> None`` that adds
its parser(s) and sets ``func`` (``def f(args: argparse.Namespace, env: Env) -> int``) with
``set_defaults``; add the module to ``COMMANDS`` below. Help texts in German, English where short.
A command that needs the settings calls ``env.settings()`` (read once; the token is then blanked
out of every log line). Expected failures print one line to stderr and return an exit code;
``SettingsError`` is turned into one line and exit code 2 here.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import check, demo, digest, draft, export, invite, plan, problems, run
from bot.cli.common import EXIT_CONFIG, Env, RedactingFormatter
from bot.settings import SettingsError

COMMANDS = (run, check, invite, demo, digest, export, draft, plan, problems)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every command group registered."""
    root = argparse.ArgumentParser(
        prog="agenda-bot", description="Digitale Agenda consultation bot"
    )
    sub = root.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: leave a host's logging alone
        handler = logging.StreamHandler()
        handler.setFormatter(formatter)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    # Never log request URLs: they contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for chatty in ("fontTools", "weasyprint", "matplotlib"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        result: int = args.func(args, Env(formatter))
        return result
    except SettingsError as error:
        print(f"agenda-bot: {error}", file=sys.stderr)
        return EXIT_CONFIG
