"""The command line's words (templates/cli/*.j2, bot/cli/texts.py): every macro renders, as
plain text for a terminal, with every value it is given."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.cli.helptext import ENVIRONMENT
from bot.cli.texts import macros, text

# Each macro that takes arguments, with values (each branch at least once); strings marked X-
# must appear in the text.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("backup_is_the_database", {"path": "X-db"}),
    ("backup_target_exists", {"target": "X-target"}),
    ("cannot_read", {"path": "X-path", "error": "X-error"}),
    ("check_errors", {"path": "X-path", "errors": 3}),
    ("check_ok", {"path": "X-path", "questionnaires": 2, "questions": 9, "events": 4}),
    (
        "check_vanished",
        {
            "questionnaire_id": "X-qn",
            "question_id": "X-q",
            "questionnaire_known": True,
            "answers": 2,
        },
    ),
    (
        "check_vanished",
        {
            "questionnaire_id": "X-qn",
            "question_id": "X-q",
            "questionnaire_known": False,
            "answers": 1,
        },
    ),
    ("check_warning", {"path": "X-path", "warning": "X-warning"}),
    ("consultation_invalid", {"path": "X-path", "errors": 2}),
    ("database_missing", {"hint": "X-hint"}),
    ("database_named", {"path": "X-db", "new": True}),
    ("database_named", {"path": "X-db", "new": False}),
    ("demo_not_a_demo_database", {"path": "X-db"}),
    ("digest_unknown_workshop", {"workshop_id": "X-ws", "valid": ["X-a", "X-b"]}),
    ("draft_ok", {"path": "X-path", "measures": 5, "review_until": date(2027, 3, 1)}),
    ("draft_published", {"path": "X-path", "version": 2, "measures": 5, "notices": 40}),
    ("draft_unchanged", {"path": "X-path", "version": 2}),
    ("environment_epilog", {"names": ("AGENDA_DB", "TELEGRAM_BOT_TOKEN")}),
    ("environment_epilog", {"names": ()}),
    ("invite_cannot_read", {"path": "X-path", "error": "X-error"}),
    ("invite_decided", {"pseudonym": "X-P0012", "organisation": "X-org", "confirmed": True}),
    ("invite_decided", {"pseudonym": "X-P0012", "organisation": "X-org", "confirmed": False}),
    ("invite_duplicate", {"path": "X-path", "line": 4, "name": "X-org", "first_line": 2}),
    ("invite_file_long_name", {"limit": 120}),
    (
        "invite_file_missing_columns",
        {"path": "X-path", "line": 1, "missing": ["X-name", "X-group"], "sep": ";"},
    ),
    ("invite_file_no_group", {"groups": [("X-firma", "X-Firmen"), ("X-schule", "X-Schulen")]}),
    ("invite_file_too_many_fields", {"fields": 4, "width": 3}),
    (
        "invite_file_twice",
        {"name": "X-org", "first_line": 2, "group_id": "X-firma", "contact": "X-mail"},
    ),
    (
        "invite_file_twice",
        {"name": "X-org", "first_line": 2, "group_id": "X-firma", "contact": None},
    ),
    (
        "invite_file_unknown_group",
        {"group": "X-fima", "close": "X-firma", "groups": [("X-firma", "X-Firmen")]},
    ),
    ("invite_file_unknown_group", {"group": "X-zoo", "close": None, "groups": [("X-a", "X-A")]}),
    ("invite_file_unreadable", {"path": "X-path"}),
    (
        "invite_imported",
        {"total": 9, "new": 5, "updated": 3, "unchanged": 1, "skipped": 2, "links": "X-links"},
    ),
    (
        "invite_imported",
        {"total": 9, "new": 5, "updated": 3, "unchanged": 1, "skipped": 0, "links": "X-links"},
    ),
    ("invite_letters_failed", {"error": "X-error"}),
    ("invite_letters_written", {"count": 3, "path": "X-pdf"}),
    ("invite_no_letters", {"path": "X-path"}),
    ("invite_no_organisations", {"path": "X-path"}),
    ("invite_not_a_pseudonym", {"person": "X-p"}),
    ("invite_not_invited", {"path": "X-path", "line": 3, "name": "X-org"}),
    ("invite_not_one", {"name": "X-org", "several": True}),
    ("invite_not_one", {"name": "X-org", "several": False}),
    ("invite_not_waiting", {"pseudonym": "X-P0012"}),
    ("invite_nothing_imported", {"bad": 2, "good": 7}),
    ("invite_revoked", {"name": "X-org", "organisation_id": 3}),
    ("invite_row_problem", {"path": "X-path", "line": 5, "problem": "X-problem"}),
    ("measures_adopted", {"version": 2, "adopted": 3, "total": 8}),
    ("measures_draft", {"version": 2, "title": "X-title"}),
    (
        "measures_line",
        {
            "measure_id": "X-m1",
            "action_field": "X-field",
            "title": "X-title",
            "adopted": True,
            "priority": True,
        },
    ),
    (
        "measures_line",
        {
            "measure_id": "X-m1",
            "action_field": "X-field",
            "title": "X-title",
            "adopted": False,
            "priority": False,
        },
    ),
    ("measures_marked", {"measure_id": "X-m1", "title": "X-title", "undo": True}),
    ("measures_marked", {"measure_id": "X-m1", "title": "X-title", "undo": False}),
    ("measures_unknown_ids", {"count": 2, "version": 2}),
    ("person_bad_id", {"person": "X-q"}),
    ("person_copy_written", {"path": "X-zip", "size": 2048}),
    ("person_erase_prompt", {"pseudonym": "X-P0007", "organisation": "X-org"}),
    ("person_erase_prompt", {"pseudonym": "X-P0007", "organisation": ""}),
    (
        "person_erased",
        {
            "pseudonym": "X-P0007",
            "answers": 3,
            "problems": 1,
            "registrations": 2,
            "organisation": "X-org",
            "outbox": 4,
        },
    ),
    (
        "person_found",
        {
            "pseudonym": "X-P0007",
            "organisation": "X-org",
            "group_id": "X-firma",
            "consented_on": "X-2027-01-02",
            "withdrawn": True,
        },
    ),
    (
        "person_found",
        {
            "pseudonym": "X-P0007",
            "organisation": None,
            "group_id": None,
            "consented_on": "X-2027-01-02",
            "withdrawn": False,
        },
    ),
    ("person_missing", {"pseudonym": "X-P0007"}),
    (
        "plan_done",
        {"name": "X-plan", "published": True, "measures": 3, "milestones": 7},
    ),
    (
        "plan_done",
        {"name": "X-plan", "published": False, "measures": 3, "milestones": 7},
    ),
    ("plan_unchanged", {"name": "X-plan"}),
    *[("problems_merge_refused", {"reason": r}) for r in ("same", "merged", "field", "missing")],
    (
        "problems_merged",
        {
            "gone_id": 4,
            "gone_title": "X-gone",
            "keep_id": 2,
            "keep_title": "X-keep",
            "votes": 5,
            "added": 1,
        },
    ),
    ("program_line", {"message": "X-message"}),
    ("purge_done", {"people": 9, "answers": 40, "kept": 12, "problems": 3, "backups": 2}),
    ("purge_done", {"people": 9, "answers": 40, "kept": 0, "problems": 3, "backups": 2}),
    *[
        (
            "purge_preview",
            {
                "due": due,
                "purge_after": date(2027, 12, 31),
                "people": 9,
                "answers": 40,
                "problems": 3,
                "backups": 2,
            },
        )
        for due in (True, False)
    ],
    ("restore_done", {"source": "X-backup", "target": "X-db"}),
    ("restore_kept", {"path": "X-old"}),
    ("run_cannot_listen", {"listen": "X-127.0.0.1:8080", "error": "X-in use"}),
    ("telegram_unreachable", {"base_url": "X-url", "error": "X-error"}),
]


def test_every_macro_with_arguments_has_a_case() -> None:
    with_arguments = {name for name, macro in macros().items() if macro.arguments}
    assert with_arguments == {name for name, _ in CASES}


@pytest.mark.parametrize("name", sorted(name for name, m in macros().items() if not m.arguments))
def test_a_text_without_arguments_renders(name: str) -> None:
    rendered = text(name)
    assert rendered.strip() and rendered == rendered.strip()


@pytest.mark.parametrize(("name", "context"), CASES)
def test_a_text_renders_every_value_it_is_given(name: str, context: dict[str, Any]) -> None:
    rendered = text(name, **context)
    assert rendered.strip() and "None" not in rendered
    for value in _marked(list(context.values())):
        assert value in rendered, (name, value)


def _marked(value: object) -> list[str]:
    """The X- strings in a value, lists and tuples opened."""
    if isinstance(value, str):
        return [value] if value.startswith("X-") else []
    if isinstance(value, list | tuple):
        return [found for item in value for found in _marked(item)]
    return []


def test_the_texts_are_plain_text_not_html() -> None:
    assert text("invite_not_invited", path="a&b.csv", line=2, name="Café <Zur Börse>") == (
        "a&b.csv:2: 'Café <Zur Börse>' ist nicht eingeladen (not invited)"
    )


def test_every_variable_has_its_meaning() -> None:
    for name in ENVIRONMENT:
        line = text("environment_epilog", names=(name,)).splitlines()[1]
        assert line.split(name, 1)[1].strip(), name
