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


def check_limits(text: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """Why the text is too big, too deep or expands too far; None when it is within limits.

    Syntax errors are left to the real parse, which explains them (None is returned).
    """
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return say(lang, "yaml_too_big", size=size // 1024 + 1, limit=MAX_BYTES // 1024)
    tally = _Tally()
    parser = _Parser(text)
    try:
        while (event := parser.get_event()) is not None:  # type: ignore[no-untyped-call]  # types-PyYAML leaves it untyped
            tally.take(event)
    except _Refused as refused:
        return say(lang, refused.name, **refused.params)
    except (_LeftToTheParse, yaml.YAMLError):
        return None  # a syntax error or unknown anchor: the real parse reports it, explained
    finally:
        parser.dispose()
    return None


class _Refused(Exception):
    """Over a limit: the message of yaml.j2 that says which."""

    def __init__(self, name: str, **params: Any) -> None:
        super().__init__(name)
        self.name = name
        self.params = params


class _LeftToTheParse(Exception):
    """An alias of an unknown anchor: the real parse explains it."""


class _Tally:
    """The entries of a stream of parser events, every alias written out, and its depth."""

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}  # anchor -> entries of its node, aliases written out
        self.open_nodes: list[list[Any]] = []  # [anchor, entries so far] per open collection
        self.total = 0

    def take(self, event: yaml.Event) -> None:
        """Count one event; _Refused when a limit is passed."""
        weight = self._weight(event)
        if not weight:
            return
        if self.open_nodes:  # a node's entries reach its parent when the node closes
            self.open_nodes[-1][1] += weight
            reached = self.open_nodes[-1][1]
        else:
            self.total += weight
            reached = self.total
        if reached > MAX_ENTRIES:
            raise _Refused("yaml_too_many", limit=MAX_ENTRIES)

    def _weight(self, event: yaml.Event) -> int:
        """The entries this event adds where it stands (a collection's when it closes)."""
        if isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                self.sizes[event.anchor] = 1
            return 1
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event)
        if isinstance(event, yaml.CollectionStartEvent):
            self.open_nodes.append([event.anchor, 1])
            if len(self.open_nodes) > MAX_DEPTH:
                raise _Refused("yaml_too_deep", limit=MAX_DEPTH, line=_line(event))
            return 0
        if isinstance(event, yaml.CollectionEndEvent) and self.open_nodes:
            anchor, weight = self.open_nodes.pop()
            if anchor:
                self.sizes[anchor] = weight
            return int(weight)
        return 0

    def _alias(self, event: yaml.AliasEvent) -> int:
        """The entries of the node the alias repeats."""
        if event.anchor in self.sizes:
            return self.sizes[event.anchor]
        if any(node[0] == event.anchor for node in self.open_nodes):  # refers to itself
            raise _Refused("yaml_alias_loop", anchor=event.anchor, line=_line(event))
        raise _LeftToTheParse


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
