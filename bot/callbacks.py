"""Button payloads as typed classes: declared once, packed within Telegram's 64 bytes, checked
again when they come back.

A payload class is a frozen dataclass that names its prefix in the class statement, in the spirit
of aiogram's ``CallbackData``::

    @dataclass(frozen=True)
    class Vote(CallbackData, prefix="PV"):
        problem: int

``Vote(7).pack()`` gives ``"PV:7"``; ``Vote.unpack("PV:7")`` gives ``Vote(problem=7)`` and
anything else (another prefix, a part too many, a word where the number belongs) gives None;
``Vote.pattern`` is the handler's pattern. A prefix may have several parts (``"TR:sd"``), so the
actions of one flow are classes of their own. A prefix used twice, or one whose pattern would
catch another's payloads (``"TR"`` next to ``"TR:sd"``), fails when the second class is defined.

Fields are ``int`` (0..MAX_NUMBER: no id, year or index of ours comes near the bound, so a handler
never passes a number SQLite or the calendar cannot hold), ``bool`` (``1``/``0``), a ``Literal``
of words, or ``str`` with its longest length declared (``Annotated[str, Chars(16)]``); trailing
fields may be optional (``| None = None``, left out when None). Any client can send any payload:
only the shapes we build come back as objects. The same machinery types what the bot waits for
in ``people.awaiting`` (bot/awaiting.py), without the 64-byte limit.
"""

from __future__ import annotations

import inspect
import itertools
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import MISSING, dataclass
from typing import Annotated, Any, ClassVar, Literal, Self, Union

MAX_BYTES = 64
MAX_NUMBER = 2**31 - 1  # row ids, years, positions: far below; SQLite's INTEGER ends at 2**63-1
_PART = re.compile(r"^[A-Za-z0-9_\-!.]{1,40}$")
_NUMBER = re.compile(r"^-?[0-9]+$")


class CallbackDataError(ValueError):
    """A payload that would not fit, or an argument with forbidden characters."""


class PrefixClash(TypeError):
    """Two payload classes whose patterns would catch each other's payloads."""


@dataclass(frozen=True)
class Chars:
    """The longest value a str field carries (its id pattern's `{1,N}`)."""

    longest: int

    @classmethod
    def of(cls, pattern: str | re.Pattern[str]) -> Chars:
        """The bound of an id pattern ending in `{1,N}$`, e.g. bot.consultation.QUESTION_ID."""
        source = pattern if isinstance(pattern, str) else pattern.pattern
        found = re.search(r"\{\d*,(\d+)\}\$?$", source)
        if found is None:
            raise TypeError(f"no length bound at the end of {source!r}")
        return cls(int(found.group(1)))


@dataclass(frozen=True)
class FieldSpec:
    """How one field is written and read back."""

    name: str
    kind: type  # int, bool or str
    words: tuple[str, ...] = ()  # a Literal's values; empty: any token
    longest_chars: int = 0  # for free str fields
    optional: bool = False

    def write(self, value: object) -> str | None:
        """The field as a part (None: an optional field left out)."""
        if value is None:
            if not self.optional:
                raise CallbackDataError(f"{self.name} is missing")
            return None
        if self.kind is bool:
            return "1" if value else "0"
        part = str(value)
        if self.kind is int and not (isinstance(value, int) and _in_range(part)):
            raise CallbackDataError(f"{self.name}={value!r} is out of range")
        if self.words and part not in self.words:
            raise CallbackDataError(f"{self.name}={value!r} is not one of {self.words}")
        return part

    def read(self, part: str) -> tuple[bool, object]:
        """(True, value) when part is a value of this field, else (False, None)."""
        if self.kind is int:
            return (True, int(part)) if _in_range(part) else (False, None)
        if self.kind is bool:
            return (part in ("0", "1"), part == "1")
        if self.words:
            return (part in self.words, part)
        return (len(part) <= self.longest_chars, part)

    @property
    def longest(self) -> object:
        """The value that makes this field's part longest (for the 64-byte test)."""
        if self.kind is int:
            return MAX_NUMBER
        if self.kind is bool:
            return True
        if self.words:
            return max(self.words, key=len)
        return "x" * self.longest_chars


class Registry:
    """The classes of one family (button payloads, awaited input), by prefix."""

    def __init__(self, family: str, max_bytes: int | None) -> None:
        self.family = family
        self.max_bytes = max_bytes
        self._classes: dict[str, type[Packed]] = {}

    def add(self, cls: type[Packed]) -> None:
        """Register cls; a prefix that equals or shadows another one is refused."""
        for prefix, other in self._classes.items():
            if _same_class(cls, other):
                continue  # the same class again (a module imported twice)
            if _shadows(prefix, cls.prefix) or _shadows(cls.prefix, prefix):
                raise PrefixClash(
                    f"{self.family} prefix {cls.prefix!r} of {cls.__qualname__} clashes with "
                    f"{prefix!r} of {other.__qualname__}"
                )
        self._classes[cls.prefix] = cls

    def remove(self, cls: type[Packed]) -> None:
        """Forget cls (for tests that define classes of their own)."""
        if self._classes.get(cls.prefix) is cls:
            del self._classes[cls.prefix]

    def __iter__(self) -> Iterator[type[Packed]]:
        return iter(list(self._classes.values()))

    def parse(self, data: object) -> Packed | None:
        """The registered payload data is, or None."""
        parts = split(data, self.max_bytes)
        if parts is None:
            return None
        for size in range(len(parts), 0, -1):
            cls = self._classes.get(":".join(parts[:size]))
            if cls is not None:
                return cls.unpack(data)
        return None


def _same_class(one: type, other: type) -> bool:
    return (one.__module__, one.__qualname__) == (other.__module__, other.__qualname__)


def _shadows(prefix: str, other: str) -> bool:
    """Whether the pattern of prefix matches payloads of other."""
    return other == prefix or other.startswith(prefix + ":")


class Packed:
    """A value written as `prefix:field:field...` (see the module docstring)."""

    prefix: ClassVar[str]
    registry: ClassVar[Registry]
    specs: ClassVar[tuple[FieldSpec, ...]]
    pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, *, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix is None:
            return  # a family's base class (CallbackData, Awaiting)
        if not all(_PART.match(part) for part in prefix.split(":")):
            raise CallbackDataError(f"bad prefix {prefix!r}")
        cls.prefix = prefix
        cls.specs = _specs(cls)
        cls.pattern = re.compile(f"^{re.escape(prefix)}(?::|$)")
        cls.registry.add(cls)

    def pack(self) -> str:
        """The payload as sent; raise CallbackDataError if it cannot be."""
        parts = [self.prefix]
        for spec in self.specs:
            part = spec.write(getattr(self, spec.name))
            if part is not None:
                if not _PART.match(part):
                    raise CallbackDataError(f"bad payload part {part!r}")
                parts.append(part)
        data = ":".join(parts)
        limit = self.registry.max_bytes
        if limit is not None and len(data.encode("utf-8")) > limit:
            raise CallbackDataError(f"payload over {limit} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """The payload of this class that data is, or None (anything we did not build)."""
        parts = split(data, cls.registry.max_bytes)
        head = cls.prefix.split(":")
        if parts is None or parts[: len(head)] != head:
            return None
        args = parts[len(head) :]
        required = sum(1 for spec in cls.specs if not spec.optional)
        if not required <= len(args) <= len(cls.specs):
            return None
        values: dict[str, object] = {}
        for spec, part in zip(cls.specs, args, strict=False):
            ok, value = spec.read(part)
            if not ok:
                return None
            values[spec.name] = value
        return cls(**values)

    @classmethod
    def longest(cls) -> Self:
        """An instance with every field at its longest (what the 64-byte test packs)."""
        return cls(**{spec.name: spec.longest for spec in cls.specs})


class CallbackData(Packed):
    """Base of every button payload class."""

    registry: ClassVar[Registry] = Registry("button", MAX_BYTES)


BUTTONS = CallbackData.registry


def _specs(cls: type) -> tuple[FieldSpec, ...]:
    """The field specs of a payload class, from its annotations (checked when it is defined)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    names: list[str] = []  # a base class's fields first, as dataclasses orders them
    for klass in reversed(cls.__mro__):
        names += [name for name in inspect.get_annotations(klass) if name not in names]
    names = [n for n in names if n in hints and typing.get_origin(hints[n]) is not ClassVar]
    specs = [_spec(cls, name, hints[name]) for name in names]
    for before, after in itertools.pairwise(specs):
        if before.optional and not after.optional:
            raise TypeError(f"{cls.__qualname__}: optional fields go last ({before.name})")
    return tuple(specs)


def _spec(cls: type, name: str, hint: Any) -> FieldSpec:
    optional = False
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or getattr(cls, name, MISSING) is not None:
            raise TypeError(f"{cls.__qualname__}.{name}: optional fields are `T | None = None`")
        hint, optional = rest[0], True
    chars = 0
    if typing.get_origin(hint) is Annotated:
        hint, *meta = typing.get_args(hint)
        chars = next((m.longest for m in meta if isinstance(m, Chars)), 0)
    if typing.get_origin(hint) is Literal:
        words = tuple(str(word) for word in typing.get_args(hint))
        if not all(isinstance(word, str) and _PART.match(word) for word in words):
            raise TypeError(f"{cls.__qualname__}.{name}: a Literal of words")
        return FieldSpec(name, str, words=words, optional=optional)
    if hint in (int, bool):
        return FieldSpec(name, hint, optional=optional)
    if hint is str and chars > 0:
        return FieldSpec(name, str, longest_chars=chars, optional=optional)
    raise TypeError(
        f"{cls.__qualname__}.{name}: int, bool, a Literal of words or Annotated[str, Chars(n)]"
    )


def _in_range(part: str) -> bool:
    """Whether part is a whole number we accept (no sign, at most MAX_NUMBER)."""
    return part.isascii() and part.isdigit() and int(part) <= MAX_NUMBER


def split(data: object, max_bytes: int | None = MAX_BYTES) -> list[str] | None:
    """The parts of a payload, or None when it is not one we could have built (a part with
    other characters, a negative or huge number anywhere, too long)."""
    if not isinstance(data, str) or not data:
        return None
    if max_bytes is not None and len(data.encode("utf-8")) > max_bytes:
        return None
    parts = data.split(":")
    if not all(_PART.match(part) for part in parts):
        return None
    if any(_NUMBER.match(part) and not _in_range(part) for part in parts):
        return None  # a negative or huge number: never ours
    return parts


def is_forged(data: object) -> bool:
    """Whether no payload of ours looks like data (checked before any flow sees it)."""
    return split(data) is None
