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
from datetime import date, datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from bot.consultation.yaml_places import Loc, Problem

_UNION_TAGS = {"str", "int", "bool", "float"}
_SAID = "said"
_LOOKS_LIKE_A_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
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


def message(  # noqa: C901 (to split)
    err: ErrorDetails, loc: Loc, root: type[BaseModel], pattern_help: Mapping[str, str]
) -> str:
    """Plain words for one pydantic error at ``loc`` below root."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == _SAID:
        return str(ctx["message"])
    name = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    target, info = _field_at(root, loc)
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        parent, _ = _field_at(root, loc[:-1])
        is_model = isinstance(parent, type) and issubclass(parent, BaseModel)
        fields = list(parent.model_fields) if is_model else []
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(fields)
        return f"unknown key {loc[-1]!r} ({hint})"
    if value is None and kind not in ("value_error", "consistency"):
        return "is empty, but a value is needed"
    if kind == "literal_error":
        allowed = get_args(target) if get_origin(target) is Literal else ()
        listed = ", ".join(map(str, allowed)) if allowed else ctx.get("expected", "")
        return f"unknown {name} {show(value)} (allowed: {listed})"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{show(value)} is not a valid id (use {pattern_help.get(pattern, pattern)})"
    if kind == "string_type":
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
        elif isinstance(value, int | float | date):
            hint = " (put it in quotes)"
        return f"expected a text, got {show(value)}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long", "string_too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        unit = "characters" if kind.startswith("string") else "entries"
        if limit == 1:
            unit = unit.replace("characters", "character").replace("entries", "entry")
        word = "at least" if kind == "too_short" else "at most"
        actual = ctx.get("actual_length", len(value) if isinstance(value, Sequence) else "?")
        return f"needs {word} {limit} {unit} (has {actual})"
    if kind.startswith("int_"):
        return f"expected a whole number, got {show(value)}"
    if kind.startswith("float_"):
        return f"expected a number like {_example(info, '40')}, got {show(value)}"
    if kind.startswith("bool_"):
        return f"expected true or false, got {show(value)}"
    if kind.startswith("datetime_"):
        example = _example(info, "2027-01-20 18:00")
        return f"expected a date and time like {example}, got {show(value)}"
    if kind.startswith("date_"):
        looks = isinstance(value, str) and _LOOKS_LIKE_A_DATE.match(value)
        detail = f" ({ctx['error']})" if "error" in ctx and looks else ""
        return f"expected a date like {_example(info, '2027-01-20')}, got {show(value)}{detail}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {show(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        shape = getattr(target, "shape", None)  # e.g. I18n: "a text or a mapping with de: ..."
        expected = shape() if callable(shape) else "a mapping (key: value)"
        return f"expected {expected}, got {show(value)}"
    bounds = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
    if any(key in ctx for key in bounds) and kind.endswith(("_than", "_than_equal")):
        key = next(key for key in bounds if key in ctx)
        return f"must be {bounds[key]} {ctx[key]}, got {show(value)}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(err["msg"])


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
