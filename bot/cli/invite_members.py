"""``agenda-bot invite list|revoke|reissue|confirm|refuse``: who is bound to each invited
organisation, and the links themselves (registered from bot/cli/invite.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers, fail
from bot.cli.texts import text


def register_subcommands(invite_sub: Subparsers) -> None:
    """Add list, revoke, reissue, confirm and refuse to ``invite``."""
    listing = invite_sub.add_parser(
        "list",
        help=text("invite_list_help"),
        description=text("invite_list_description"),
    )
    listing.set_defaults(func=list_command)
    for name in ("revoke", "reissue"):
        parser = invite_sub.add_parser(name, help=text(f"invite_{name}_help"))
        parser.add_argument("name", metavar="NAME", help=text("invite_name_help"))
        if name == "reissue":
            parser.add_argument("--bot", help=text("invite_reissue_bot_help"))
        parser.set_defaults(func=link_command, link_action=name)
    for name in ("confirm", "refuse"):
        parser = invite_sub.add_parser(name, help=text(f"invite_{name}_help"))
        parser.add_argument("person", metavar="PERSON", help=text("invite_person_help"))
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
    print(text("invite_list_header"))
    none = text("invite_list_none")
    for b in bindings:
        org = b.organisation
        contact = _pseudonym(org.contact_person) if org.contact_person else none
        others = [_pseudonym(m) for m in b.members if m != org.contact_person]
        print(
            "\t".join(
                (
                    str(org.id),
                    org.name,
                    org.group_id,
                    contact,
                    " ".join(others) or none,
                    " ".join(_pseudonym(w) for w in b.waiting) or none,
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
            return fail(text("invite_not_one", name=name, several=bool(found)))
        org, token, now = found[0], new_token(), datetime.now(UTC)
        async with db.transaction():  # the new link and its audit entry together
            await members.replace_token(db, org.id, token, now=now)
            await audit.record(
                db, f"invite_{action}", actor=None, subject=f"organisation:{org.id}", now=now
            )
    finally:
        await db.close()
    if action == "revoke":
        print(text("invite_revoked", name=org.name, organisation_id=org.id))
    else:
        assert bot_username is not None
        print(f"{org.name}\t{deep_link(bot_username, token)}")
        print(text("invite_old_link_gone"))
    return 0


def request_command(args: argparse.Namespace, env: Env) -> int:
    """Confirm or refuse a person waiting for an organisation."""
    return asyncio.run(_request(env, args.request_action, args.person))


async def _request(env: Env, action: str, person: str) -> int:
    from bot.member_notices import enqueue_decision
    from storage import audit, members
    from storage.db import Database

    env.settings()
    digits = person.strip().upper().removeprefix("P")
    if not digits.isdigit():
        return fail(text("invite_not_a_pseudonym", person=person))
    person_id = int(digits)
    db = await Database.open(env.database())
    try:
        now = datetime.now(UTC)
        async with db.transaction():
            request = await members.request_of(db, person_id)
            if request is None:
                return fail(text("invite_not_waiting", pseudonym=_pseudonym(person_id)))
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
    decided = text(
        "invite_decided",
        pseudonym=_pseudonym(person_id),
        organisation=org.name,
        confirmed=action == "confirm",
    )
    print(decided)
    return 0
