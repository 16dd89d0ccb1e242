"""Where a problem is in a YAML file: places like ``measures[2].title``, their line, and a loader.

Shared by the consultation, the draft and the plan files, so every file the town writes reports
its problems the same way: ``FILE:LINE: place: message``.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import yaml

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


class FileProblems(Exception):
    """A file the town wrote that cannot be used; ``errors`` holds every "place: message"."""

    what = "the file"  # how the first line names the file ("the draft", "the plan")
    default_source = "<file>"

    def __init__(self, errors: list[str], source: str | None = None) -> None:
        self.errors = errors
        self.source = source = source or self.default_source
        n = len(errors)
        super().__init__("\n".join([f"{source}: {n} problem(s) in {self.what}", *errors]))

    @classmethod
    def at_places(cls, problems: list[Problem], source: str) -> FileProblems:
        """The error listing each problem as "place: message"."""
        return cls([f"{place(loc)}: {msg}" for loc, msg in problems], source)


def place(loc: Loc) -> str:
    """("questionnaires", 2, "questions", 4, "type") -> "questionnaires[2].questions[4].type"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 3, 3, 60, 60


def shown(value: object) -> str:
    """A value from the file for a message: cut while it is written, so a value built from
    thousands of aliases costs no more than a short one."""
    return _SHORT.repr(value)


def unknown(what: str, value: str, known: Iterable[str]) -> str:
    """The message for an unknown id, with the closest known one or the list of known ones."""
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "known: " + (", ".join(known) or "none")
    return f"unknown {what} {value!r} ({hint})"


if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's loader is about ten times faster; same behaviour
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_BaseLoader):
    """SafeLoader that rejects duplicate keys and reports bad dates with their line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key {key_node.value!r}",
                        key_node.start_mark,
                    )
                seen.add(key_node.value)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"invalid date {node.value!r} ({exc})", node.start_mark
        ) from exc


LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The line in the file where ``loc`` is (or its nearest existing parent)."""
    if root is None:
        return None
    node: yaml.Node = root
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next((p for p in node.value if str(p[0].value) == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


class YamlRefused(Exception):
    """Text that is no usable YAML; ``message`` explains it in plain words with its line and
    the likely fix (``bot/consultation/yaml_syntax.py``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_yaml(text: str, lang: str = "de") -> tuple[object, yaml.Node | None]:
    """The YAML in text and its node tree (for lines), within the size, depth and alias limits;
    duplicate keys and bad dates refused. Raises YamlRefused with an explanation."""
    from bot.consultation.yaml_syntax import check_limits, explain

    refused = check_limits(text, lang)
    if refused is not None:
        raise YamlRefused(refused)
    loader = LineLoader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError as exc:
        raise YamlRefused(explain(exc, text, lang)) from None
    finally:
        loader.dispose()


def read_yaml(text: str, source: str, error: type[FileProblems]) -> object:
    """The YAML in text (see parse_yaml); a syntax error or a broken limit raises `error`."""
    try:
        return parse_yaml(text)[0]
    except YamlRefused as refused:
        raise error([refused.message], source) from None
