"""YAML the town writes: syntax errors explained in plain words, and limits before parsing.

A PyYAML message ("mapping values are not allowed in this context") tells a clerk nothing. Here
each known error becomes one line with its place and the likely fix, from the macros in
``templates/messages/yaml.j2``: ``Zeile 4, Spalte 13: Doppelpunkt im Text ... Text in
Anführungszeichen setzen``.

The limits guard against files that are small on disk and huge in memory: an "alias bomb"
(anchors that refer to anchors, nine times over) is 468 bytes and expands to a billion entries.
`check_limits` walks the parser's event stream once, without building anything, and counts the
entries as if every alias were written out, and the nesting depth; it refuses before the file is
built. It takes a few milliseconds for the largest file allowed.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

import yaml

from bot.languages import DEFAULT_LANGUAGE
from bot.texts import LANGUAGES, build_environment, template_module

MAX_BYTES = 256 * 1024  # a draft of 80 measures or a plan is far smaller; Hagenow's file is 60 KB
MAX_DEPTH = 32  # levels of nesting; the consultation file uses 8
MAX_ENTRIES = 200_000  # entries with every alias written out; Hagenow's file has about 9,000

if TYPE_CHECKING:
    _Parser = yaml.SafeLoader
else:  # libyaml's parser: the same events, ten times faster
    _Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _macros(lang: str) -> Any:
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return template_module(build_environment(), "messages/yaml.j2", lang)


def say(lang: str, name: str, **params: Any) -> str:
    """The message `name` from yaml.j2 as plain text (the chat's templates escape it again)."""
    return html.unescape(str(getattr(_macros(lang), name)(**params))).strip()


def check_limits(text: str, lang: str = DEFAULT_LANGUAGE) -> str | None:  # noqa: C901 (to split)
    """Why the text is too big, too deep or expands too far; None when it is within limits.

    Syntax errors are left to the real parse, which explains them (None is returned).
    """
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return say(lang, "yaml_too_big", size=size // 1024 + 1, limit=MAX_BYTES // 1024)
    sizes: dict[str, int] = {}  # anchor -> entries of its node, aliases written out
    open_nodes: list[list[Any]] = []  # [anchor, entries so far] per open sequence or mapping
    total = 0
    parser = _Parser(text)
    try:
        while (event := parser.get_event()) is not None:  # type: ignore[no-untyped-call]  # types-PyYAML leaves it untyped
            weight = 0
            if isinstance(event, yaml.ScalarEvent):
                weight = 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in sizes:  # unknown, or refers to a node still open
                    if any(node[0] == event.anchor for node in open_nodes):
                        return say(lang, "yaml_alias_loop", anchor=event.anchor, line=_line(event))
                    return None  # unknown anchor: the parse explains it
                weight = sizes[event.anchor]
            elif isinstance(event, yaml.CollectionStartEvent):
                open_nodes.append([event.anchor, 1])
                if len(open_nodes) > MAX_DEPTH:
                    return say(lang, "yaml_too_deep", limit=MAX_DEPTH, line=_line(event))
            elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
                anchor, weight = open_nodes.pop()
                if anchor:
                    sizes[anchor] = weight
            if not weight:
                continue
            if open_nodes:  # a node's entries reach its parent when the node closes
                open_nodes[-1][1] += weight
                reached = open_nodes[-1][1]
            else:
                total += weight
                reached = total
            if reached > MAX_ENTRIES:
                return say(lang, "yaml_too_many", limit=MAX_ENTRIES)
    except yaml.YAMLError:
        return None  # a syntax error: the real parse reports it with its explanation
    finally:
        parser.dispose()
    return None


def explain(error: yaml.YAMLError, text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line: where the error is, what is wrong in plain words, and the likely fix."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return say(lang, "yaml_unreadable", detail=str(error)[:200])
    problem = str(error.problem or "")
    context = str(error.context or "")
    mark = error.problem_mark or error.context_mark
    kind = _kind(problem, context, text, mark)
    if kind in ("no_colon", "quote") and error.context_mark is not None:
        mark = error.context_mark  # where the key or the quote starts, not where it ended
    line = mark.line + 1 if mark else None
    if "nesting depth" in problem:  # libyaml's own limit, deeper than ours
        return say(lang, "yaml_too_deep", limit=MAX_DEPTH, line=line)
    column = mark.column + 1 if mark else None
    lines = text.splitlines()
    snippet = lines[mark.line].strip()[:80] if mark and mark.line < len(lines) else ""
    return say(
        lang,
        "yaml_syntax",
        kind=kind,
        line=line,
        column=column,
        snippet=snippet,
        detail=problem[:200],
    )


def _kind(problem: str, context: str, text: str, mark: yaml.Mark | None) -> str:
    """A name for the error, one per explanation in yaml.j2."""
    if problem.startswith("mapping values are not allowed"):
        return "colon"
    if problem.startswith("duplicate key"):
        return "duplicate"
    if problem.startswith("invalid date"):
        return "date"
    if "found undefined alias" in problem:
        return "alias"
    if "tab" in problem or "cannot start any token" in problem:
        char = _char_at(text, mark)
        if char == "\t":
            return "tab"
        return "start_char"
    if "could not find expected ':'" in problem:
        return "no_colon"
    if "quoted scalar" in context:
        return "quote" if "end of stream" in problem else "escape"
    if "flow sequence" in context or "flow mapping" in context:
        return "brackets"
    if "expected '-' indicator" in problem or "did not find expected key" in problem:
        return "indent"
    if "expected <block end>" in problem:
        return "indent"
    return "other"


def _line(event: yaml.Event) -> int | None:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else None


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]
