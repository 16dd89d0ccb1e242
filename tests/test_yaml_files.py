"""The town's YAML files: syntax errors in plain German with line, column and the likely fix;
files that expand (alias bombs), nest too deep or are too big are refused before they are built,
also when sent in the chat."""

from __future__ import annotations

import pytest

from bot import draft
from bot.consultation.model import Consultation
from bot.consultation.yaml_places import YamlRefused, parse_yaml
from bot.consultation.yaml_syntax import MAX_BYTES, MAX_DEPTH
from bot.plan import PlanError, load_plan
from storage import draft as store
from tests.conftest import STAFF_ID, Harness
from tests.test_draft import DRAFT

# Nine anchors of nine references each: 342 bytes, 9**9 (387 million) strings written out.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True)
)


def refusal(text: str) -> str:
    with pytest.raises(YamlRefused) as refused:
        parse_yaml(text)
    return refused.value.message


@pytest.mark.parametrize(
    ("text", "start", "fix"),
    [
        (
            "title: Frage: Wie digital?\n",
            "Zeile 1, Spalte 13: Doppelpunkt mitten im Text",
            "Setzen Sie den ganzen Text in Anführungszeichen",
        ),
        ("a:\n\tb: 1\n", "Zeile 2, Spalte 1: Tabulator statt Leerzeichen", "nur mit Leerzeichen"),
        (
            'a: "offen\nb: 2\n',
            "Zeile 1, Spalte 4: Ein Anführungszeichen wird nicht geschlossen",
            "passende Anführungszeichen",
        ),
        ("a: 1\nb\nc: 2\n", "Zeile 2, Spalte 1: Hier fehlt der Doppelpunkt", "schlüssel: wert"),
        (
            "a:\n  b: 1\n c: 2\n",
            "Zeile 3, Spalte 2: Die Einrückung passt nicht",
            "gleich weit eingerückt",
        ),
        (
            "a: 1\na: 2\n",
            "Zeile 2, Spalte 1: Dieser Schlüssel steht im selben Abschnitt zweimal",
            "Löschen Sie einen",
        ),
        ("a: 2027-02-30\n", "Zeile 1, Spalte 4: Dieses Datum gibt es nicht", "2027-04-30"),
        ("a: [1, 2\nb: 3\n", "Zeile 2, Spalte 2: Eine Liste in [ ] oder { }", "Anführungszeichen"),
        (
            "a: @home\n",
            "Zeile 1, Spalte 4: Ein Text beginnt mit einem Zeichen",
            "Anführungszeichen",
        ),
        ("a: *nirgends\n", "Zeile 1, Spalte 4: Ein Verweis (*name)", "Schreiben Sie den Wert aus"),
    ],
)
def test_syntax_errors_are_explained_in_german_with_place_and_fix(
    text: str, start: str, fix: str
) -> None:
    message = refusal(text)
    assert message.startswith(start)
    assert fix in message
    assert "mapping values" not in message and "scanning" not in message


def test_the_draft_and_the_plan_explain_their_syntax_errors_the_same_way(
    consultation: Consultation,
) -> None:
    text = "title: Entwurf: Fassung 2\nreview_until: 2027-04-30\n"
    with pytest.raises(draft.DraftError) as raised:
        draft.load_draft(text, consultation, "entwurf.yaml")
    (error,) = raised.value.errors
    assert error.startswith("Zeile 1, Spalte 15: Doppelpunkt mitten im Text")
    with pytest.raises(PlanError) as plan_raised:
        load_plan(text, {}, consultation, "plan.yaml")
    assert plan_raised.value.errors == [error]


def test_an_alias_bomb_is_refused_before_it_is_built() -> None:
    assert len(ALIAS_BOMB.encode()) < 500
    message = refusal(ALIAS_BOMB)
    assert message.startswith("Verweise (&anker und *anker) vervielfachen die Datei")
    assert "schreiben Sie die Einträge aus" in message


def test_a_few_references_are_fine() -> None:
    data, _ = parse_yaml("base: &b {horizon: kurz}\nm1: *b\nm2: *b\n")
    assert data == {
        "base": {"horizon": "kurz"},
        "m1": {"horizon": "kurz"},
        "m2": {"horizon": "kurz"},
    }


def test_a_self_reference_too_deep_nesting_and_a_huge_file_are_refused() -> None:
    assert "verweist auf sich selbst" in refusal("a: &a [*a]\n")
    deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    assert f"mehr als {MAX_DEPTH} Ebenen" in refusal(deep)
    very_deep = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert "Ebenen ineinander verschachtelt" in refusal(very_deep)
    big = "notes:\n" + "  - Zeile mit etwas Text\n" * (MAX_BYTES // 20)
    assert "Die Datei ist zu groß" in refusal(big)


async def test_an_alias_bomb_sent_in_the_chat_gets_a_clear_answer(bot: Harness) -> None:
    staff = bot.user(STAFF_ID, "Sabine")
    bomb = ALIAS_BOMB + "title: *i\nreview_until: 2027-04-30\nmeasures: *i\n"
    await staff.send_document("entwurf.yaml", bomb.encode())
    reply = staff.last.text or ""
    assert "nichts veröffentlicht" in reply
    assert "vervielfachen die Datei" in reply
    assert await store.current(bot.db) is None
    # The next file is read as usual.
    await staff.send_document("entwurf.yaml", DRAFT.format(n=2).encode())
    assert "ist in Ordnung" in (staff.last.text or "")
