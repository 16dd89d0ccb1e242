"""The meaning of a consultation file, checked on plain data: unique ids, references, dates,
type-specific question fields and ``show_if``.

The checks are tolerant of malformed input (anything of the wrong shape is pydantic's to report
in ``bot.consultation.model``), so they run on the raw YAML even where pydantic failed, and every
problem is reported in one go. The models' ``after`` validators call the same functions, so a
model built in code is held to the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.consultation.yaml_places import Loc, Problem, place, unknown
from bot.questions import KINDS, owners
from bot.questions.base import KIND_KEYS

QUESTION_TEXT_LIMIT = 600  # question text and help, each
OPTION_TEXT_LIMIT = 60  # an option is a button label


def items(value: object) -> list[tuple[int, dict[str, Any]]]:
    """The (index, mapping) pairs of a list, skipping entries that are not mappings."""
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()  # also takes a plain date
        except ValueError:
            return None
    return None


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def duplicates(items: list[tuple[int, dict[str, Any]]], what: str, prefix: Loc) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            where = place((*prefix, seen[ident]))
            problems.append(((*prefix, i, "id"), f"duplicate {what} id {ident!r} (see {where})"))
        else:
            seen[ident] = i
    return problems


def _ids(value: object) -> set[str] | None:
    """The ids in a list of mappings, or None if the list itself is malformed."""
    if not isinstance(value, list):
        return None
    return {v["id"] for _, v in items(value) if isinstance(v.get("id"), str)}


def check_question(q: Mapping[str, Any]) -> list[Problem]:
    qtype = q.get("type")
    if not isinstance(qtype, str) or qtype not in KINDS:
        return []  # pydantic reports the type itself
    kind = KINDS[qtype]
    problems = kind.check(q)
    for key in KIND_KEYS:
        given = q.get(key) not in (None, []) or (key == "max_length" and key in q)
        if given and key not in kind.keys:
            takers = " and ".join(owners(key))
            problems.append(((key,), f"only {takers} questions have {key}, not {qtype}"))
    # A question must fit one Telegram message (4096 characters) and its options a button each.
    for key, limit in (("text", QUESTION_TEXT_LIMIT), ("help", QUESTION_TEXT_LIMIT)):
        problems += _too_long(q.get(key), (key,), limit)
    options = q.get("options")
    for i, option in enumerate(options if isinstance(options, list) else []):
        if isinstance(option, dict):
            problems += _too_long(option.get("text"), ("options", i, "text"), OPTION_TEXT_LIMIT)
    return problems


def _too_long(value: object, loc: Loc, limit: int) -> list[Problem]:
    """Texts (plain or per language) longer than limit characters."""
    texts = value.items() if isinstance(value, dict) else [("", value)]
    return [
        ((*loc, lang) if lang else loc, f"text of {len(text)} characters; at most {limit}")
        for lang, text in texts
        if isinstance(text, str) and len(text) > limit
    ]


def _check_show_if(
    q: Mapping[str, Any], index: int, questions: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    show_if = q.get("show_if")
    if not isinstance(show_if, dict):
        return []
    target = show_if.get("question")
    if not isinstance(target, str):
        return []
    loc: Loc = ("questions", index, "show_if")
    earlier = {v.get("id"): v for i, v in questions if i < index}
    if target not in earlier:
        if target == q.get("id"):
            msg = f"{target!r} is this question itself; show_if must refer to an earlier question"
        elif any(v.get("id") == target for i, v in questions if i > index):
            msg = f"{target!r} comes later; show_if must refer to an earlier question"
        else:
            msg = f"no question {target!r} in this questionnaire"
        return [((*loc, "question"), msg)]
    ref = earlier[target]
    rtype = ref.get("type")
    if not isinstance(rtype, str) or rtype not in KINDS:
        return []
    kind = KINDS[rtype]
    if not kind.conditional:
        usable = ", ".join(name for name, k in KINDS.items() if k.conditional)
        return [
            (
                (*loc, "question"),
                f"{target!r} is a {rtype} question; show_if works with {usable} questions",
            )
        ]
    equals = show_if.get("equals")
    if not isinstance(equals, list):
        return []
    problems: list[Problem] = []
    for k, value in enumerate(equals):
        if not isinstance(value, str | int | bool):
            continue  # a structural error, reported by pydantic
        if (problem := kind.condition_problem(value, target, ref)) is not None:
            problems.append(((*loc, "equals", k), problem))
    return problems


def check_questionnaire(qn: Mapping[str, Any], *, deep: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    opens, closes = _as_date(qn.get("opens")), _as_date(qn.get("closes"))
    if opens and closes and closes < opens:
        problems.append((("closes",), f"closes ({closes}) before it opens ({opens})"))
    groups = qn.get("groups")
    if isinstance(groups, list):
        seen: set[str] = set()
        for k, g in enumerate(groups):
            if isinstance(g, str) and g in seen:
                problems.append((("groups", k), f"group {g!r} is listed twice"))
            elif isinstance(g, str):
                seen.add(g)
    questions = items(qn.get("questions"))
    problems += duplicates(questions, "question", ("questions",))
    for i, q in questions:
        problems += _check_show_if(q, i, questions)
        if deep:
            problems += [(("questions", i, *loc), msg) for loc, msg in check_question(q)]
    return problems


def check_phase(phase: Mapping[str, Any]) -> list[Problem]:
    starts, ends = _as_date(phase.get("starts")), _as_date(phase.get("ends"))
    if starts and ends and ends < starts:
        return [(("ends",), f"ends ({ends}) before it starts ({starts})")]
    return []


def check_event(event: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    starts, ends = _as_datetime(event.get("starts")), _as_datetime(event.get("ends"))
    for key, value in (("starts", starts), ("ends", ends)):
        if value is not None and value.tzinfo is not None:
            problems.append(
                ((key,), "give the local time without a time zone (the consultation has one)")
            )
    if starts and ends and (starts.tzinfo is None) == (ends.tzinfo is None) and ends <= starts:
        problems.append((("ends",), f"ends ({ends:%Y-%m-%d %H:%M}) before it starts"))
    kind, field = event.get("kind"), event.get("action_field")
    if kind == "workshop" and field is None:
        problems.append((("action_field",), "a workshop needs an action_field"))
    elif kind == "kickoff" and field is not None:
        problems.append((("action_field",), "a kickoff covers all fields; remove action_field"))
    return problems


def _check_timezone(name: object) -> list[Problem]:
    if not isinstance(name, str) or not name.strip():
        return []
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return [(("timezone",), f"unknown time zone {name!r} (e.g. 'Europe/Berlin')")]
    return []


def check_consultation(c: Mapping[str, Any], *, deep: bool = True) -> list[Problem]:
    """Every problem of a consultation's meaning; with ``deep`` also those of its phases,
    events and questionnaires (their models check themselves when built)."""
    problems = _check_timezone(c.get("timezone"))
    for key, what in (
        ("phases", "phase"),
        ("action_fields", "action field"),
        ("groups", "group"),
        ("events", "event"),
        ("questionnaires", "questionnaire"),
    ):
        problems += duplicates(items(c.get(key)), what, (key,))
    problems += _check_references(c)
    problems += _check_purge(c)
    if deep:
        for key, check in (
            ("phases", check_phase),
            ("events", check_event),
            ("questionnaires", check_questionnaire),
        ):
            for i, item in items(c.get(key)):
                problems += [((key, i, *loc), msg) for loc, msg in check(item)]
    return problems


def _check_references(c: Mapping[str, Any]) -> list[Problem]:
    """Action fields and groups named by questionnaires and events that the file lacks."""
    field_ids, group_ids = _ids(c.get("action_fields")), _ids(c.get("groups"))
    problems: list[Problem] = []
    for i, qn in items(c.get("questionnaires")):
        problems += _unknown_field(qn, ("questionnaires", i), field_ids)
        groups = qn.get("groups")
        if group_ids is not None and isinstance(groups, list):
            problems += [
                (("questionnaires", i, "groups", k), unknown("group", g, group_ids))
                for k, g in enumerate(groups)
                if isinstance(g, str) and g not in group_ids
            ]
    for i, ev in items(c.get("events")):
        problems += _unknown_field(ev, ("events", i), field_ids)
    return problems


def _unknown_field(entry: Mapping[str, Any], loc: Loc, field_ids: set[str] | None) -> list[Problem]:
    """The entry's action_field, where the file's list of action fields lacks it."""
    field = entry.get("action_field")
    if field_ids is None or not isinstance(field, str) or field in field_ids:
        return []
    return [((*loc, "action_field"), unknown("action field", field, field_ids))]


def _check_purge(c: Mapping[str, Any]) -> list[Problem]:
    """purge_after no earlier than the last questionnaire closes or the last event ends."""
    purge = _as_date(c.get("purge_after"))
    if not purge:
        return []
    last: list[tuple[date, str]] = []
    for key, end in (("questionnaires", "closes"), ("events", "ends")):
        for i, entry in items(c.get(key)):
            if when := _as_date(entry.get(end)):
                last.append((when, place((key, i, end))))
    if not last or max(last)[0] <= purge:
        return []
    when, where = max(last)
    return [
        (
            ("purge_after",),
            f"{purge} is before {where} ({when}); personal data must be kept "
            "until the consultation has ended",
        )
    ]
