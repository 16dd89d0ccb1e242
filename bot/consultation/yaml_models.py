"""Pydantic models of the files the town writes, with every problem named by its place.

The consultation, draft and plan files are validated the same way: structure by pydantic, each
error turned into a short message at its place in the file (``measures[2].title: missing
(required)``), the file's own cross-checks added on the raw data by the caller. The messages
are plain words for the clerk who wrote the file, never pydantic's.

A validator that wants to say something in its own words raises ``said(...)``: the message is
shown as it is, at the validator's place.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.consultation.yaml_places import Loc, Problem

_UNION_TAGS = {"str", "int", "bool", "float"}
_SAID = "said"
_LOOKS_LIKE_A_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_A_LIST = "expected a list (lines starting with '- ')"
TaggedMessage = Callable[[Loc, object], str | None]


class FileModel(BaseModel):
    """A part of a file: unknown keys are errors, values frozen, texts stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @classmethod
    def shape(cls) -> str:
        """How the file writes this part, for "expected ..., got ..." (a mapping by default)."""
        return "a mapping (key: value)"


def said(message: str) -> PydanticCustomError:
    """An error whose message is shown as it is (raise it in a validator)."""
    return PydanticCustomError(_SAID, "{message}", {"message": message})


def no_number(value: object) -> object:
    """Before-validator of dates: pydantic reads a bare number as a Unix timestamp; in a
    hand-written file it is a typo."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("date_number", "expected a date, got a number")
    return value


def show(value: object) -> str:
    """A value from the file, short, as it was written."""
    if isinstance(value, date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_union_tag(part: str) -> bool:
    # pydantic names the member of a union that failed: 'str', 'constrained-str',
    # 'function-after[...]'. Field names are identifiers, so anything else is a tag.
    return part in _UNION_TAGS or not part.isidentifier()


def _unwrap(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _is_list(tp: Any) -> bool:
    return get_origin(_unwrap(tp)) in (list, tuple)


def _is_mapping(tp: Any) -> bool:
    return get_origin(_unwrap(tp)) is dict


def _step(tp: Any, part: str | int) -> tuple[Any, FieldInfo | None]:
    """The type one step below tp (a list's items, a mapping's values, a model's field)."""
    tp = _unwrap(tp)
    args = get_args(tp)
    if get_origin(tp) in (list, tuple) and isinstance(part, int) and args:
        return args[0], None
    if get_origin(tp) is dict and len(args) == 2:
        return args[1], None  # a mapping keyed by ids: any key
    if isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
        info = tp.model_fields.get(part)
        return (info.annotation, info) if info is not None else (None, None)
    return None, None


def clean_loc(
    loc: tuple[str | int, ...], keep_last: bool = False, root: Any = None
) -> tuple[Loc, bool]:
    """Drop pydantic's union-member tags ('str', 'int', 'function-after[...]') from a loc;
    the keys of a mapping (measure ids) stay, whatever their spelling."""
    cleaned: list[str | int] = []
    tagged = False
    tp = root
    for n, part in enumerate(loc):
        if (keep_last and n == len(loc) - 1) or (tp is not None and _is_mapping(tp)):
            cleaned.append(part)  # an unknown key or an id from the file
            tp = _step(tp, part)[0] if tp is not None else None
        elif isinstance(part, str) and _is_union_tag(part):
            tagged = True
        else:
            cleaned.append(part)
            tp = _step(tp, part)[0] if tp is not None else None
    return tuple(cleaned), tagged


def _field_at(root: type[BaseModel], loc: Loc) -> tuple[Any, FieldInfo | None]:
    """The annotation and field of the value at ``loc`` below root ((None, None) if unknown)."""
    tp: Any = root
    info: FieldInfo | None = None
    for part in loc:
        tp, found = _step(tp, part)
        if tp is None:
            return None, None
        info = found or (None if isinstance(part, int) else info)
    return _unwrap(tp), info


def _example(info: FieldInfo | None, default: str) -> str:
    return str(info.examples[0]) if info is not None and info.examples else default


@dataclass(frozen=True)
class _Error:
    """One pydantic error, with what its wording needs: the value, and the field it is for."""

    err: ErrorDetails
    loc: Loc
    root: type[BaseModel]
    pattern_help: Mapping[str, str]

    @property
    def kind(self) -> str:
        return self.err["type"]

    @property
    def value(self) -> Any:
        return self.err.get("input")

    @property
    def ctx(self) -> dict[str, Any]:
        return self.err.get("ctx") or {}

    @property
    def name(self) -> str:
        """The key the value stands under ("value" in a list of plain values)."""
        return next((p for p in reversed(self.loc) if isinstance(p, str)), "value")

    @property
    def field(self) -> tuple[Any, FieldInfo | None]:
        """The annotation and field of the value (see _field_at)."""
        return _field_at(self.root, self.loc)

    def example(self, default: str) -> str:
        return _example(self.field[1], default)


def _before_the_value(e: _Error) -> str | None:
    """The errors worded whatever the value: said in a validator's words, missing, unknown key,
    and an empty value."""
    if e.kind == _SAID:
        return str(e.ctx["message"])
    if e.kind == "missing":  # a missing list is named like a wrong one
        return f"{_A_LIST}, got nothing" if _is_list(e.field[0]) else "missing (required)"
    if e.kind == "extra_forbidden":
        parent, _ = _field_at(e.root, e.loc[:-1])
        is_model = isinstance(parent, type) and issubclass(parent, BaseModel)
        fields = list(parent.model_fields) if is_model else []
        close = difflib.get_close_matches(str(e.loc[-1]), fields, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(fields)
        return f"unknown key {e.loc[-1]!r} ({hint})"
    if e.value is None and e.kind not in ("value_error", "consistency"):
        return "is empty, but a value is needed"
    return None


def _text(e: _Error) -> str | None:
    """Choices, ids and texts."""
    if e.kind == "literal_error":
        target = e.field[0]
        allowed = get_args(target) if get_origin(target) is Literal else ()
        listed = ", ".join(map(str, allowed)) if allowed else e.ctx.get("expected", "")
        return f"unknown {e.name} {show(e.value)} (allowed: {listed})"
    if e.kind == "string_pattern_mismatch":
        pattern = str(e.ctx.get("pattern", ""))
        return f"{show(e.value)} is not a valid id (use {e.pattern_help.get(pattern, pattern)})"
    if e.kind == "string_type":
        hint = ""
        if isinstance(e.value, bool):
            hint = " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
        elif isinstance(e.value, int | float | date):
            hint = " (put it in quotes)"
        return f"expected a text, got {show(e.value)}{hint}"
    if e.kind == "string_too_short":
        return "must not be empty"
    return None


def _length(e: _Error) -> str | None:
    """Too few or too many characters or entries."""
    if e.kind not in ("too_short", "too_long", "string_too_long"):
        return None
    limit = e.ctx.get("min_length") if e.kind == "too_short" else e.ctx.get("max_length")
    unit = "characters" if e.kind.startswith("string") else "entries"
    if limit == 1:
        unit = unit.replace("characters", "character").replace("entries", "entry")
    word = "at least" if e.kind == "too_short" else "at most"
    actual = e.ctx.get("actual_length", len(e.value) if isinstance(e.value, Sequence) else "?")
    return f"needs {word} {limit} {unit} (has {actual})"


def _scalar(e: _Error) -> str | None:
    """Numbers, flags, dates and times of the wrong kind."""
    got = show(e.value)
    if e.kind.startswith("int_"):
        return f"expected a whole number, got {got}"
    if e.kind.startswith("float_"):
        return f"expected a number like {e.example('40')}, got {got}"
    if e.kind.startswith("bool_"):
        return f"expected true or false, got {got}"
    if e.kind.startswith("datetime_"):
        return f"expected a date and time like {e.example('2027-01-20 18:00')}, got {got}"
    if e.kind.startswith("date_"):
        looks = isinstance(e.value, str) and _LOOKS_LIKE_A_DATE.match(e.value)
        detail = f" ({e.ctx['error']})" if "error" in e.ctx and looks else ""
        return f"expected a date like {e.example('2027-01-20')}, got {got}{detail}"
    return None


def _shape(e: _Error) -> str | None:
    """A list or mapping where something else stands."""
    if e.kind == "list_type":
        return f"{_A_LIST}, got {show(e.value)}"
    if e.kind in ("model_type", "dict_type", "model_attributes_type"):
        shape = getattr(e.field[0], "shape", None)  # e.g. I18n: "a text or a mapping with de: ..."
        expected = shape() if callable(shape) else "a mapping (key: value)"
        return f"expected {expected}, got {show(e.value)}"
    return None


_BOUNDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


def _bound(e: _Error) -> str | None:
    """A number out of its range, or a validator's own ValueError."""
    if any(key in e.ctx for key in _BOUNDS) and e.kind.endswith(("_than", "_than_equal")):
        key = next(key for key in _BOUNDS if key in e.ctx)
        return f"must be {_BOUNDS[key]} {e.ctx[key]}, got {show(e.value)}"
    if e.kind == "value_error" and "error" in e.ctx:
        return str(e.ctx["error"])
    return None


# Tried in this order: the first that words the error does.
_WORDINGS: tuple[Callable[[_Error], str | None], ...] = (
    _before_the_value,
    _text,
    _length,
    _scalar,
    _shape,
    _bound,
)


def message(
    err: ErrorDetails, loc: Loc, root: type[BaseModel], pattern_help: Mapping[str, str]
) -> str:
    """Plain words for one pydantic error at ``loc`` below root (else pydantic's own)."""
    error = _Error(err, loc, root, pattern_help)
    worded = (word(error) for word in _WORDINGS)
    return next((said for said in worded if said is not None), str(err["msg"]))


def problems_of(
    exc: ValidationError,
    root: type[BaseModel],
    pattern_help: Mapping[str, str] | None = None,
    tagged: TaggedMessage | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """(structural problems, the models' own consistency problems) of a ValidationError.

    ``tagged`` may word an error inside a union (e.g. a value that is neither an id nor a
    number) better than the member's own message."""
    problems: list[Problem] = []
    consistency: list[Problem] = []
    for err in exc.errors():
        if err["type"] == "unknown_language":  # named at the key, like an unknown key
            loc = (*clean_loc(err["loc"], root=root)[0], str(err["ctx"]["key"]))
            problems.append((loc, str(err["msg"])))
            continue
        if err["type"] == "consistency":
            # Re-found, with exact places, by the cross-checks on the raw data; kept as a
            # fallback for the rare case where only the coerced values show the problem.
            consistency.append((clean_loc(err["loc"], root=root)[0], str(err["ctx"]["problems"])))
            continue
        extra = err["type"] == "extra_forbidden"
        loc, is_tagged = clean_loc(err["loc"], keep_last=extra, root=root)
        worded = tagged(loc, err.get("input")) if tagged and is_tagged else None
        problems.append((loc, worded or message(err, loc, root, pattern_help or {})))
    return problems, consistency
