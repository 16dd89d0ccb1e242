"""The bot's commands, listed once: the command menu Telegram shows (bot/app.py) and the help
message (the `help` macro in templates/messages/menu.j2) both follow these lists; what each
command does is said in `command_description` (menu) and `_command_help` (help) there."""

from __future__ import annotations

from bot.languages import DEFAULT_LANGUAGE

# The commands in the menu, per language and in the menu's order; the first name is the one shown.
PUBLIC_COMMANDS = {
    "de": [
        "start",
        "umfrage",
        "weiter",
        "problem",
        "workshops",
        "entwurf",
        "folgen",
        "profil",
        "erinnerungen",
        "hilfe",
        "abbrechen",
        "meinedaten",
        "widerruf",
        "loeschen",
    ],
    "en": [
        "start",
        "survey",
        "resume",
        "problem",
        "workshops",
        "draft",
        "follow",
        "profile",
        "reminders",
        "help",
        "cancel",
        "mydata",
        "withdraw",
        "delete",
    ],
}
# The staff's commands: their menu in each staff member's chat and the staff part of the help.
STAFF_COMMANDS = [
    "status",
    "digest",
    "export",
    "rundschreiben",
    "ausgang",
    "ausbildung",
    "teilnehmer",
    "prioritaeten",
    "plan",
    "fortschritt",
    "audit",
    "team",
]
# The English name a staff command answers to as well (its handler registers both), for the help.
STAFF_ALIASES = {
    "rundschreiben": "broadcast",
    "ausgang": "outbox",
    "ausbildung": "training",
    "teilnehmer": "participants",
    "prioritaeten": "priorities",
    "fortschritt": "progress",
}


def public_commands(lang: str) -> list[str]:
    """The menu of a language; a language without command names of its own shows the default's."""
    return PUBLIC_COMMANDS.get(lang, PUBLIC_COMMANDS[DEFAULT_LANGUAGE])
