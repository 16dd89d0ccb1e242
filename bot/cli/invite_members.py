"""``agenda-bot invite list|revoke|reissue|confirm|refuse``: who is bound to each invited
organisation, and the links themselves (registered from bot/cli/invite.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers, fail

HEADER = "\t".join(
    (
        "Nr.",
        "Organisation",
        "Gruppe (group)",
        "Kontakt (contact)",
        "Mitglieder (members)",
        "Wartet (waiting)",
        "Alte Links (old links)",
    )
)


def register_subcommands(invite_sub: Subparsers) -> None:
    """Add list, revoke, reissue, confirm and refuse to ``invite``."""
    listing = invite_sub.add_parser(
        "list",
        help="wer zu welcher eingeladenen Organisation gehört (who is bound to each organisation)",
        description="Eine Zeile je Organisation, Personen als Pseudonym P0007 (wie im Export);"
        " Kontakt: wer den Link zuerst geöffnet hat und über die Nennung entscheidet. (One line"
        " per organisation; people as pseudonyms; contact: who opened the link first.)",
    )
    listing.set_defaults(func=list_command)
    for name, text in (
        ("revoke", "Link sperren; wer ihn öffnet, bekommt einen Hinweis (revoke the link)"),
        ("reissue", "neuen Link ausgeben, der alte gilt nicht mehr (new link, old one revoked)"),
    ):
        parser = invite_sub.add_parser(name, help=text)
        parser.add_argument("name", metavar="NAME", help="Name oder Nr. der Organisation")
        if name == "reissue":
            parser.add_argument(
                "--bot", help="Benutzername des Bots für den Link (default: von Telegram)"
            )
        parser.set_defaults(func=link_command, link_action=name)
    for name, text in (
        ("confirm", "wartende Person bestätigen (confirm a waiting person)"),
        ("refuse", "wartende Person ablehnen (refuse a waiting person)"),
    ):
        parser = invite_sub.add_parser(name, help=text)
        parser.add_argument("person", metavar="PERSON", help="Pseudonym wie P0012 (invite list)")
        parser.set_defaults(func=request_command, request_action=name)


def _pseudonym(person_id: int) -> str:
    from bot.export_cells import pseudonym

    return pseudonym(person_id)


def list_command(args: argparse.Namespace, env: Env) -> int:
    """Print each invited organisation with its contact, members and waiting people."""
    return asyncio.run(_list(env))


async def _list(env: Env) -> int:
    from storage import members
    from storage.db import Database

    env.settings()
    db = await Database.open(env.database())
    try:
        bindings = await members.bindings(db)
    finally:
        await db.close()
    print(HEADER)
    for b in bindings:
        org = b.organisation
        contact = _pseudonym(org.contact_person) if org.contact_person else "–"
        others = [_pseudonym(m) for m in b.members if m != org.contact_person]
        print(
            "\t".join(
                (
                    str(org.id),
                    org.name,
                    org.group_id,
                    contact,
                    " ".join(others) or "–",
                    " ".join(_pseudonym(w) for w in b.waiting) or "–",
                    str(b.old_links),
                )
            )
        )
    return 0


def link_command(args: argparse.Namespace, env: Env) -> int:
    """Revoke an organisation's link, or replace it and print the new one."""
    return asyncio.run(_link(env, args.link_action, args.name, getattr(args, "bot", None)))


async def _link(env: Env, action: str, name: str, bot_username: str | None) -> int:
    from bot.cli.invite import _bot_username
    from bot.invites import deep_link, new_token
    from storage import audit, members
    from storage.db import Database

    settings = env.settings()
    if action == "reissue" and bot_username is None:
        bot_username = await _bot_username(settings)
        if bot_username is None:
            return 1
    db = await Database.open(env.database())
    try:
        found = await members.invited_named(db, name)
        if len(found) != 1:
            for org in found:
                print(f"{org.id}\t{org.name}\t{org.group_id}", file=sys.stderr)
            return fail(
                f"{'mehrere' if found else 'keine'} eingeladene Organisation(en) „{name}“"
                " – bitte die Nr. angeben (agenda-bot invite list)"
                f" ({'several' if found else 'no'} invited organisation(s) of that name)"
            )
        org, token, now = found[0], new_token(), datetime.now(UTC)
        async with db.transaction():  # the new link and its audit entry together
            await members.replace_token(db, org.id, token, now=now)
            await audit.record(
                db, f"invite_{action}", actor=None, subject=f"organisation:{org.id}", now=now
            )
    finally:
        await db.close()
    if action == "revoke":
        print(
            f"{org.name}: Link gesperrt; wer ihn öffnet, erfährt es (link revoked). Neuer Link:"
            f" agenda-bot invite reissue {org.id}"
        )
    else:
        assert bot_username is not None
        print(f"{org.name}\t{deep_link(bot_username, token)}")
        print("Der alte Link gilt nicht mehr (the old link no longer works).")
    return 0


def request_command(args: argparse.Namespace, env: Env) -> int:
    """Confirm or refuse a person waiting for an organisation."""
    return asyncio.run(_request(env, args.request_action, args.person))


async def _request(env: Env, action: str, person: str) -> int:
    from bot.member_notices import enqueue_decision
    from storage import audit, members
    from storage.db import Database

    env.settings()
    text = person.strip().upper().removeprefix("P")
    if not text.isdigit():
        return fail(f"{person!r}: erwartet ein Pseudonym wie P0012 (expected a pseudonym)")
    person_id = int(text)
    db = await Database.open(env.database())
    try:
        now = datetime.now(UTC)
        async with db.transaction():
            request = await members.request_of(db, person_id)
            if request is None:
                return fail(
                    f"{_pseudonym(person_id)} wartet auf keine Organisation"
                    " (is not waiting for an organisation)"
                )
            if action == "confirm":
                org = await members.confirm(db, person_id, now=now)
            else:
                org = await members.withdraw(db, person_id)
            assert org is not None
            await enqueue_decision(db, org.id, person_id, action == "confirm", now=now)
            await audit.record(
                db,
                f"invite_{action}",
                actor=None,
                subject=f"organisation:{org.id}",
                detail=f"person={_pseudonym(person_id)}",
                now=now,
            )
    finally:
        await db.close()
    done = "bestätigt (confirmed)" if action == "confirm" else "abgelehnt (refused)"
    print(f"{_pseudonym(person_id)} für {org.name}: {done}; die Person erfährt es vom Bot.")
    return 0
