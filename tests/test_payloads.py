"""Button payload classes and awaited steps: every one round-trips at its longest within
Telegram's 64 bytes, and a prefix that would shadow another fails when it is defined."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import pytest

import bot.app  # noqa: F401  (imports every flow, so every payload class is registered)
from bot.awaiting import Awaiting
from bot.callbacks import (
    BUTTONS,
    MAX_BYTES,
    MAX_NUMBER,
    CallbackData,
    CallbackDataError,
    Chars,
    Packed,
    PrefixClash,
)

BUTTON_CLASSES = list(BUTTONS)
STEP_CLASSES = list(Awaiting.registry)


def test_the_flows_register_their_buttons_and_steps() -> None:
    prefixes = {cls.prefix for cls in BUTTON_CLASSES}
    assert {"M", "L", "C", "TR:fo", "PV", "PM:ok", "TS:m"} <= prefixes
    assert {"q", "org_name", "tr:dt", "p:title", "pg:in"} <= {c.prefix for c in STEP_CLASSES}


@pytest.mark.parametrize("cls", BUTTON_CLASSES, ids=lambda cls: cls.prefix)
def test_every_button_round_trips_at_its_longest_within_64_bytes(cls: type[Packed]) -> None:
    longest = cls.longest()
    data = longest.pack()
    assert len(data.encode("utf-8")) <= MAX_BYTES, data
    assert cls.unpack(data) == longest
    assert BUTTONS.parse(data) == longest
    # Exactly one handler pattern takes it: no other class shadows this one.
    assert [other for other in BUTTON_CLASSES if other.pattern.match(data)] == [cls]


@pytest.mark.parametrize("cls", STEP_CLASSES, ids=lambda cls: cls.prefix)
def test_every_awaited_step_round_trips(cls: type[Packed]) -> None:
    longest = cls.longest()
    assert Awaiting.registry.parse(longest.pack()) == longest


@dataclass(frozen=True)
class _Numbered(CallbackData):
    """A probe's field; without a prefix the class is a family base and registers nothing."""

    number: int


def _define(prefix: str) -> type[_Numbered]:
    @dataclass(frozen=True)
    class Probe(_Numbered, prefix=prefix):
        pass

    return Probe


@pytest.mark.parametrize("prefix", ["PV", "TR", "TR:fo", "PB:page", "M:help"])
def test_a_prefix_that_equals_or_shadows_another_fails_at_definition(prefix: str) -> None:
    with pytest.raises(PrefixClash):
        _define(prefix)
    assert list(BUTTONS) == BUTTON_CLASSES


def test_a_prefix_beside_others_is_fine() -> None:
    probe = _define("ZZ:probe")  # "PB" next to "PBX" would be fine too: ':' ends a prefix
    try:
        assert probe.unpack("ZZ:probe:5") == probe(5)
        assert probe.unpack("ZZ:probe") is None  # a field missing
        assert probe.unpack("ZZ:probe:5:6") is None  # a part too many
        assert probe.unpack(f"ZZ:probe:{MAX_NUMBER + 1}") is None
        assert probe.unpack("ZZ:probe:-1") is None
        assert probe.unpack("ZZ:probe:x") is None
    finally:
        BUTTONS.remove(probe)


def test_fields_are_typed_and_checked_both_ways() -> None:
    @dataclass(frozen=True)
    class Sample(CallbackData, prefix="ZZ:sample"):
        choice: Literal["y", "n"]
        flag: bool
        key: Annotated[str, Chars(5)]
        page: int | None = None

    try:
        assert Sample("y", True, "abc").pack() == "ZZ:sample:y:1:abc"
        assert Sample("n", False, "abc", 3).pack() == "ZZ:sample:n:0:abc:3"
        assert Sample.unpack("ZZ:sample:n:0:abc:3") == Sample("n", False, "abc", 3)
        for forged in (
            "ZZ:sample:q:1:abc",
            "ZZ:sample:y:2:abc",
            "ZZ:sample:y:1:abcdef",
            "ZZ:sample:y:1:a b",
            "ZZ:sample:y:1:abc:x",
        ):
            assert Sample.unpack(forged) is None, forged
        with pytest.raises(CallbackDataError):
            Sample("y", True, "has:colon").pack()
        with pytest.raises(CallbackDataError):
            Sample("y", True, "abc", -1).pack()
    finally:
        BUTTONS.remove(Sample)


def test_a_field_without_a_known_shape_fails_at_definition() -> None:
    with pytest.raises(TypeError, match="Chars"):

        @dataclass(frozen=True)
        class Unbounded(CallbackData, prefix="ZZ:unbounded"):
            key: str

    with pytest.raises(TypeError, match="optional fields go last"):

        @dataclass(frozen=True)
        class Gap(CallbackData, prefix="ZZ:gap"):
            first: int | None = None
            second: int = 0

    assert list(BUTTONS) == BUTTON_CLASSES


def test_a_payload_over_64_bytes_cannot_be_built() -> None:
    @dataclass(frozen=True)
    class Wide(CallbackData, prefix="ZZ:wide"):
        one: Annotated[str, Chars(40)]
        two: Annotated[str, Chars(40)]

    try:
        with pytest.raises(CallbackDataError):
            Wide.longest().pack()
    finally:
        BUTTONS.remove(Wide)
