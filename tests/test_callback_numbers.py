"""Forged button payloads with huge or negative numbers: every flow answers "no longer valid"
and no handler raises (Telegram lets any client send any callback data)."""

from __future__ import annotations

import pytest

from bot.callbacks import BUTTONS, MAX_NUMBER
from handlers.draft import Rate
from tests.conftest import STAFF_ID, Harness, onboard

STALE = "Dieser Knopf ist nicht mehr gültig."

# Every payload shape that carries a number, with {n} where the number goes.
SHAPES = [
    "PV:{n}",
    "PB:page:verwaltung:{n}",
    "DR:show:{n}",
    "DR:r:{n}:w:3",
    "DR:r:1:w:{n}",
    "TR:fe:{n}",
    "TR:sy:{n}",
    "TR:sf:it:{n}",
    "TR:fo:it:{n}:x",
    "TR:fx:it:{n}",
    "TR:cc:{n}",
    "BC:report:{n}",
    "WT:att:{n}",
    "WT:list:{n}",
    "DP:pub:{n}",
    "DP:drop:{n}",
    "DP:p:{n}",
    "DP:a:{n}",
    "TS:f:{n}",
    "TS:o:{n}:it",
    "TS:m:{n}:x",
    "PG:m:{n}",
    "PG:ms:{n}:1",
    "PG:ms:1:{n}",
    "PG:in:{n}:1",
    "PG:no:{n}",
    "FO:{n}",
    "DG:{n}",
    "WS:in:{n}",
    "A:sq-handel:digital:{n}",
    "RL:{n}",
    "Q:{n}",
    "PB:join:{n}",
    "PM:pick:{n}",
    "PM:into:{n}:1",
    "PM:into:1:{n}",
    "PM:ok:{n}:1",
    "PM:ok:1:{n}",
]
OUT_OF_RANGE = [2**63, 2**64 + 1, 10**40, MAX_NUMBER + 1, -1, -(2**63) - 1]


def test_payloads_refuse_numbers_out_of_range_and_read_the_rest() -> None:
    assert BUTTONS.parse(f"PV:{2**63}") is None
    assert BUTTONS.parse("PV:-1") is None
    assert BUTTONS.parse(f"DR:r:{MAX_NUMBER}:w:3") == Rate(MAX_NUMBER, "w", 3)
    assert BUTTONS.parse("DR:r:1:w:x") is None  # "x" is not a number
    assert BUTTONS.parse("DR:r:1:w") is None  # missing
    assert BUTTONS.parse("A:sq-handel:digital:4") is not None  # ids with '-' stay ids


@pytest.mark.parametrize("shape", SHAPES)
async def test_every_flow_answers_a_forged_number_as_a_stale_button(
    bot: Harness, shape: str
) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await onboard(staff, group="Schule", organisation="Grundschule Hagenow")
    person = bot.user(501, "Paul")
    await onboard(person, group="Unternehmen / Gewerbe", organisation="Tischlerei Paul")
    for user in (staff, person):
        for number in OUT_OF_RANGE:
            answer = await user.click_data(shape.format(n=number))
            assert answer == STALE, (shape, number, answer)
        # The largest number a payload accepts reaches the flow, which must not raise either.
        await user.click_data(shape.format(n=MAX_NUMBER))
        await user.click_data(shape.format(n=0))
    assert not bot.errors, bot.errors


async def test_a_word_where_a_number_belongs_is_answered_without_an_error(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    await onboard(staff, group="Schule", organisation="Grundschule Hagenow")
    for data in ("BC:report:x", "BC:report", "PV:x", "DP:pub:x", "WT:att:x", "DR:show:x"):
        await staff.click_data(data)  # fails if the bot leaves the spinner turning
    assert not bot.errors, bot.errors
