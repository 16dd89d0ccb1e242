"""The consultation model, its validator, and the bundled Hagenow file."""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from bot.callbacks import MAX_BYTES
from bot.consultation.fields import I18n
from bot.consultation.model import (
    Consultation,
    ConsultationError,
    load_consultation,
    parse_consultation,
)
from bot.consultation.questionnaire import Question, ShowIf
from handlers.question_view import Choice, QuestionButton, Skip, Toggle

HAGENOW = Path(__file__).resolve().parent.parent / "consultations" / "hagenow.yaml"
TODAY = date(2026, 11, 29)
OCCUPATIONAL_FIELDS = {
    "handel",
    "handwerk",
    "technik",
    "gastro",
    "buero",
    "pflege",
    "it",
    "logistik",
}


_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoAliasDumper(_Dumper):  # type: ignore[misc]  # libyaml's dumper if there, picked at run time
    def ignore_aliases(self, data: Any) -> bool:
        return True


@functools.cache
def _raw() -> dict[str, Any]:
    data = yaml.load(HAGENOW.read_text(encoding="utf-8"), Loader=_Loader)
    unaliased: dict[str, Any] = yaml.load(
        yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True), Loader=_Loader
    )
    return unaliased


def raw() -> dict[str, Any]:
    """The bundled file as plain data, with no shared (aliased) parts, ready to be broken."""
    return copy.deepcopy(_raw())


def write(tmp_path: Path, data: object, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def errors_of(tmp_path: Path, data: object) -> list[str]:
    path = write(tmp_path, data)
    with pytest.raises(ConsultationError) as info:
        load_consultation(path)
    assert info.value.errors, "a ConsultationError must list at least one problem"
    return info.value.errors


def has(errors: list[str], place: str, *words: str) -> bool:
    """Whether some error is at exactly ``place`` and mentions all ``words``."""
    return any(e.startswith(place + ": ") and all(w in e for w in words) for e in errors)


@pytest.fixture(scope="module")
def hagenow() -> Consultation:
    return load_consultation(HAGENOW)


# ------------------------------------------------------------------------------------------
# The bundled Hagenow file
# ------------------------------------------------------------------------------------------


def test_bundled_file_has_fields_groups_and_events(hagenow: Consultation) -> None:
    assert hagenow.town == "Hagenow"
    assert hagenow.zone.key == "Europe/Berlin"
    assert [f.id for f in hagenow.action_fields] == ["verwaltung", "tourismus", "handel"]
    assert {g.id for g in hagenow.groups} == {
        "firm",
        "retail",
        "tourism",
        "school",
        "association",
        "admin",
        "university",
        "citizen",
    }
    assert len(hagenow.groups) == 8

    workshops = hagenow.workshops
    assert len(workshops) == 3
    assert all(w.capacity == 15 for w in workshops)
    assert {w.action_field for w in workshops} == {"verwaltung", "tourismus", "handel"}
    assert all(
        w.starts.date() >= date(2027, 2, 1) and w.ends < datetime(2027, 4, 1) for w in workshops
    )

    (kickoff,) = [e for e in hagenow.events if e.kind == "kickoff"]
    assert kickoff.capacity == 80
    assert date(2027, 1, 10) <= kickoff.starts.date() <= date(2027, 1, 25)
    assert "Lange Straße 28-32" in kickoff.place
    assert all(e.starts.tzinfo is None for e in hagenow.events)


def test_bundled_questionnaires_resolve_and_are_open_now(hagenow: Consultation) -> None:
    ids = {q.id for q in hagenow.questionnaires}
    assert {"sq-verwaltung", "sq-tourismus", "sq-handel", "ausb-schule", "ausb-betrieb"} <= ids
    for field in ("verwaltung", "tourismus", "handel"):
        assert f"bp-{field}" in ids and f"goals-{field}" in ids

    for qn in hagenow.questionnaires:
        assert qn.action_field is None or hagenow.action_field(qn.action_field) is not None
        assert all(hagenow.group(g) is not None for g in qn.groups), qn.id
        assert qn.is_open(TODAY), qn.id
        assert date(2027, 1, 15) <= qn.closes <= date(2027, 2, 28), qn.id
        assert len(qn.questions) <= 12, qn.id
        assert hagenow.questionnaire(qn.id) is qn
    assert hagenow.purge_after >= max(q.closes for q in hagenow.questionnaires)
    assert hagenow.purge_after >= max(e.ends.date() for e in hagenow.events)

    kinds = {q.id: q.kind for q in hagenow.questionnaires}
    assert kinds["ausb-schule"] == "training_demand"
    assert kinds["ausb-betrieb"] == "training_supply"
    assert hagenow.questionnaire("ausb-schule").groups == ["school"]  # type: ignore[union-attr]


def test_bundled_questions_are_mostly_buttons_and_use_show_if(hagenow: Consultation) -> None:
    questions = [q for qn in hagenow.questionnaires for q in qn.questions]
    assert sum(q.show_if is not None for q in questions) >= 2
    for qn in hagenow.questionnaires:
        if qn.kind == "status_quo":
            types = {q.type for q in qn.questions}
            assert {"rating", "multi", "number", "text"} <= types, qn.id
            assert any(q.type == "text" and not q.required for q in qn.questions), qn.id
            rating = next(q for q in qn.questions if q.type == "rating")
            assert rating.low_label is not None and rating.high_label is not None
            hurdles = next(q for q in qn.questions if q.id == "huerden")
            assert {"zeit", "kosten", "knowhow", "personal", "recht", "internet"} <= {
                o.id for o in hurdles.options
            }
        if qn.kind == "goals":
            assert sum(q.type == "text" for q in qn.questions) == 3


def test_training_questionnaires_can_be_matched(hagenow: Consultation) -> None:
    demand = hagenow.questionnaire("ausb-schule")
    supply = hagenow.questionnaire("ausb-betrieb")
    assert demand is not None and supply is not None
    for qn in (demand, supply):
        numbers = {q.id for q in qn.questions if q.type == "number"}
        assert OCCUPATIONAL_FIELDS | {"praktikum"} <= numbers, qn.id
    trains = supply.questions[0]
    assert trains.type == "yesno"
    for fid in OCCUPATIONAL_FIELDS:
        q = supply.question(fid)
        assert q is not None and q.show_if == ShowIf(question=trains.id, equals=[True])
    assert any(q.type == "text" for q in supply.questions)
    assert demand.questions[0].type == "single"


def test_every_text_in_bundled_file_has_english(hagenow: Consultation) -> None:
    found: list[str] = []
    missing: list[str] = []

    def walk(value: object, place: str) -> None:
        if isinstance(value, I18n):
            found.append(place)
            if not (value.model_extra or {}).get("en"):
                missing.append(place)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{place}.{name}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{place}[{i}]")

    walk(hagenow, "consultation")
    assert len(found) > 200
    assert missing == []


def test_bundled_ids_fit_into_callback_data(hagenow: Consultation) -> None:
    for qn in hagenow.questionnaires:
        for q in qn.questions:
            buttons: list[QuestionButton] = [Skip(qn.id, q.id)]
            for o in q.options or []:
                buttons += [Choice(qn.id, q.id, o.id), Toggle(qn.id, q.id, o.id)]
            for button in buttons:
                data = button.pack()  # raises CallbackDataError over the limit
                assert len(data.encode()) <= MAX_BYTES
                assert type(button).unpack(data) == button


# ------------------------------------------------------------------------------------------
# Error places
# ------------------------------------------------------------------------------------------


def test_unknown_question_type_names_its_place_and_line(tmp_path: Path) -> None:
    data = raw()
    data["questionnaires"][2]["questions"][4]["type"] = "ratin"
    path = write(tmp_path, data)
    with pytest.raises(ConsultationError) as info:
        load_consultation(path)
    assert info.value.errors == [
        "questionnaires[2].questions[4].type: unknown type 'ratin' "
        "(allowed: rating, single, multi, number, yesno, text)"
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == "type: ratin")
    assert f"{path}:{line}: questionnaires[2].questions[4].type: unknown type" in str(info.value)


@pytest.mark.parametrize(
    ("section", "place", "what"),
    [
        ("action_fields", "action_fields[3].id", "action field"),
        ("groups", "groups[8].id", "group"),
        ("events", "events[4].id", "event"),
        ("phases", "phases[6].id", "phase"),
        ("questionnaires", "questionnaires[11].id", "questionnaire"),
    ],
)
def test_duplicate_top_level_ids(tmp_path: Path, section: str, place: str, what: str) -> None:
    data = raw()
    data[section].append(copy.deepcopy(data[section][0]))
    errors = errors_of(tmp_path, data)
    assert has(errors, place, f"duplicate {what} id", f"{section}[0]"), errors


def test_duplicate_question_and_option_ids(tmp_path: Path) -> None:
    data = raw()
    questions = data["questionnaires"][0]["questions"]
    assert questions[2]["id"] == "online"
    questions[2]["options"][1]["id"] = questions[2]["options"][0]["id"]
    questions[8]["id"] = questions[7]["id"]
    errors = errors_of(tmp_path, data)
    assert has(errors, "questionnaires[0].questions[2].options[1].id", "duplicate option id")
    assert has(errors, "questionnaires[0].questions[8].id", "duplicate question id")
    assert len(errors) == 2, errors


def test_dangling_references(tmp_path: Path) -> None:
    data = raw()
    data["questionnaires"][0]["action_field"] = "verwaltungg"
    data["questionnaires"][1]["groups"].append("touristen")
    data["events"][1]["action_field"] = "bildung"
    errors = errors_of(tmp_path, data)
    assert (
        "questionnaires[0].action_field: unknown action field 'verwaltungg' "
        "(did you mean 'verwaltung'?)"
    ) in errors
    assert has(errors, "questionnaires[1].groups[6]", "unknown group 'touristen'")
    assert has(errors, "events[1].action_field", "unknown action field 'bildung'")
    assert len(errors) == 3, errors


def test_show_if_must_refer_to_an_earlier_question(tmp_path: Path) -> None:
    data = raw()
    questions = data["questionnaires"][0]["questions"]
    assert questions[3]["id"] == "kanal"
    questions[3]["show_if"]["question"] = "huerden"  # later
    questions[4]["show_if"]["question"] = "eakte"  # itself
    questions[5]["show_if"]["question"] = "gibtsnicht"
    errors = errors_of(tmp_path, data)
    assert has(errors, "questionnaires[0].questions[3].show_if.question", "later", "earlier")
    assert has(errors, "questionnaires[0].questions[4].show_if.question", "itself")
    assert has(errors, "questionnaires[0].questions[5].show_if.question", "no question")
    assert len(errors) == 3, errors


def test_show_if_values_must_fit_the_question(tmp_path: Path) -> None:
    data = raw()
    questions = data["questionnaires"][0]["questions"]
    questions[3]["show_if"]["equals"] = ["betrieb", "firma"]  # single: option ids
    questions[4]["show_if"] = {"question": "digital", "equals": [5, 6, True]}  # rating: 1..5
    questions[5]["show_if"] = {"question": "eakte", "equals": ["ja"]}  # yesno: true/false
    questions[6]["show_if"] = {"question": "beschaeft", "equals": [3]}  # number: not allowed
    errors = errors_of(tmp_path, data)
    base = "questionnaires[0].questions"
    assert has(errors, f"{base}[3].show_if.equals[1]", "'firma'", "not an option")
    assert has(errors, f"{base}[4].show_if.equals[1]", "1 to 5")
    assert has(errors, f"{base}[4].show_if.equals[2]", "1 to 5")
    assert has(errors, f"{base}[5].show_if.equals[0]", "true or false")
    assert has(errors, f"{base}[6].show_if.question", "number")
    assert len(errors) == 5, errors


def test_bad_timezone(tmp_path: Path) -> None:
    data = raw()
    data["timezone"] = "Europe/Hagenow"
    assert errors_of(tmp_path, data) == [
        "timezone: unknown time zone 'Europe/Hagenow' (e.g. 'Europe/Berlin')"
    ]


def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    data = raw()
    qn = data["questionnaires"][1]
    qn["opend"] = qn.pop("opens")
    data["events"][0]["capacty"] = 10
    errors = errors_of(tmp_path, data)
    assert "questionnaires[1].opend: unknown key 'opend' (did you mean 'opens'?)" in errors
    assert has(errors, "questionnaires[1].opens", "missing")
    assert has(errors, "events[0].capacty", "did you mean 'capacity'?")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    lines = HAGENOW.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("town:"))
    lines[index] = "town: Hagenow: Stadt"
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConsultationError) as info:
        load_consultation(path)
    (error,) = info.value.errors
    assert error.startswith(f"{path}: Zeile {index + 1}, Spalte 14: Doppelpunkt mitten im Text.")
    assert "in Anführungszeichen" in error
    assert error.endswith("Die Zeile: „town: Hagenow: Stadt“")


def test_duplicate_yaml_key_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\ntown: Hagenow\ntown: Wittenburg\n", encoding="utf-8")
    with pytest.raises(ConsultationError) as info:
        load_consultation(path)
    (error,) = info.value.errors
    assert error.startswith(f"{path}: Zeile 3, Spalte 1: Dieser Schlüssel steht im selben")


def test_missing_file_gives_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConsultationError) as info:
        load_consultation(path)
    assert info.value.errors == [f"{path}: file not found"]


def test_empty_file_and_wrong_top_level(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(ConsultationError, match="empty"):
        load_consultation(tmp_path / "empty.yaml")
    with pytest.raises(ConsultationError) as info:
        parse_consultation(["a", "list"], source="list.yaml")
    assert info.value.errors == ["list.yaml: expected a mapping (key: value) at the top, got list"]


def test_date_orders(tmp_path: Path) -> None:
    data = raw()
    data["questionnaires"][0]["closes"] = date(2026, 11, 1)
    data["phases"][0]["ends"] = date(2026, 1, 1)
    data["events"][0]["ends"] = datetime(2027, 1, 20, 16, 0)
    data["purge_after"] = date(2027, 1, 31)
    errors = errors_of(tmp_path, data)
    assert has(errors, "questionnaires[0].closes", "before it opens")
    assert has(errors, "phases[0].ends", "before it starts")
    assert has(errors, "events[0].ends", "before it starts")
    assert has(errors, "purge_after", "events[3].ends")
    assert len(errors) == 4, errors


def test_question_fields_must_fit_the_type(tmp_path: Path) -> None:
    data = raw()
    questions = data["questionnaires"][2]["questions"]
    questions[0]["options"] = questions[0]["options"][:1]  # single with one option
    questions[1]["options"] = [{"id": "a", "text": "A"}]  # rating with options
    questions[1]["min"] = 1  # rating with min
    questions[7]["low_label"] = "nie"  # yesno with a label
    questions[8]["min"], questions[8]["max"] = 10, 5  # number, min > max
    questions[6]["max_length"] = 200  # multi with max_length
    questions[9]["max_length"] = 5000  # text, too long
    errors = errors_of(tmp_path, data)
    base = "questionnaires[2].questions"
    assert has(errors, f"{base}[0].options", "2 to 10 options", "has 1")
    assert has(errors, f"{base}[1].options", "only single and multi")
    assert has(errors, f"{base}[1].min", "only number questions")
    assert has(errors, f"{base}[7].low_label", "only rating questions")
    assert has(errors, f"{base}[8].max", "smaller than min")
    assert has(errors, f"{base}[6].max_length", "only text questions")
    assert has(errors, f"{base}[9].max_length", "at most 3000")


def test_events_and_ids(tmp_path: Path) -> None:
    data = raw()
    data["events"][0]["action_field"] = "verwaltung"  # kickoff with a field
    del data["events"][1]["action_field"]  # workshop without
    data["events"][2]["capacity"] = 0
    data["events"][3]["starts"] = "2027-03-17T18:30:00+01:00"
    data["questionnaires"][0]["id"] = "SQ Verwaltung"
    data["questionnaires"][0]["questions"][0]["options"][0]["id"] = "viel_zu_lange_id"
    errors = errors_of(tmp_path, data)
    assert has(errors, "events[0].action_field", "remove action_field")
    assert has(errors, "events[1].action_field", "a workshop needs")
    assert has(errors, "events[2].capacity", "at least 1")
    assert has(errors, "events[3].starts", "without a time zone")
    assert has(errors, "questionnaires[0].id", "not a valid id", "at most 16")
    assert has(errors, "questionnaires[0].questions[0].options[0].id", "at most 12")


def test_all_problems_are_collected_at_once(tmp_path: Path) -> None:
    data = raw()
    data["timezone"] = "Mars/Olympus"
    data["questionnaires"][2]["questions"][4]["type"] = "ratin"
    data["questionnaires"][2]["questions"][5]["id"] = "kunden"  # duplicate
    data["questionnaires"][4]["groups"] = ["nobody"]
    data["groups"][0]["title"] = {"de": "Firma", "fr": "Entreprise"}
    data["events"][0]["capacity"] = "viele"
    errors = errors_of(tmp_path, data)
    for place in (
        "timezone",
        "questionnaires[2].questions[4].type",
        "questionnaires[2].questions[5].id",
        "questionnaires[4].groups[0]",
        "groups[0].title.fr",
        "events[0].capacity",
    ):
        assert any(e.startswith(place + ": ") for e in errors), (place, errors)
    assert len(errors) == 6, errors


def test_yaml_booleans_in_texts_get_a_hint(tmp_path: Path) -> None:
    data = raw()
    data["questionnaires"][0]["questions"][0]["options"][0]["text"]["en"] = True
    errors = errors_of(tmp_path, data)
    assert errors == [
        "questionnaires[0].questions[0].options[0].text.en: expected a text, got True "
        "(YAML reads yes/no/on/off as true/false: put the text in quotes)"
    ]


# ------------------------------------------------------------------------------------------
# The models themselves
# ------------------------------------------------------------------------------------------


def test_i18n_from_plain_string_and_fallback() -> None:
    text = I18n.model_validate("Nur Deutsch")
    assert text.get("en") == "Nur Deutsch"
    both = I18n.model_validate({"de": "Ja", "en": "Yes"})
    assert both.get("de") == "Ja"
    assert both.get("en") == "Yes"
    assert both.get("en-GB") == "Yes"
    assert both.get("fr") == "Ja"


def test_show_if_matches_stored_answers() -> None:
    cond = ShowIf(question="q", equals=["a", "b"])
    assert cond.matches("a")
    assert not cond.matches("c")
    assert cond.matches(["c", "b"])  # multi: any overlap
    assert not cond.matches(None)
    assert ShowIf(question="q", equals=[True]).matches(True)
    assert not ShowIf(question="q", equals=[True]).matches(False)
    assert ShowIf(question="q", equals=[4, 5]).matches(5)
    assert isinstance(ShowIf.model_validate({"question": "q", "equals": [True]}).equals[0], bool)


def test_models_built_in_code_are_checked_too() -> None:
    with pytest.raises(ValidationError, match="2 to 10 options"):
        Question(id="q", type="single", text=I18n(de="Frage?"))
    q = Question(id="n", type="number", text=I18n(de="Wie viele?"))
    assert (q.min_value, q.max_value) == (0, 100_000)
    with pytest.raises(ValidationError):
        q.id = "other"  # frozen


def test_parse_consultation_from_data(hagenow: Consultation) -> None:
    data = raw()
    parsed = parse_consultation(data, source="hagenow")
    assert parsed == hagenow
    assert parsed.event("ws-handel") is not None
    assert parsed.event("nope") is None
    assert parsed.group("nope") is None


def test_texts_that_would_not_fit_a_message_or_a_button_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(HAGENOW.read_text(encoding="utf-8"))
    data["questionnaires"][0]["questions"][0]["text"] = {"de": "x" * 601, "en": "ok"}
    data["questionnaires"][0]["questions"][0]["options"][1]["text"] = "y" * 61
    with pytest.raises(ConsultationError) as caught:
        parse_consultation(data)
    joined = "\n".join(caught.value.errors)
    assert "questionnaires[0].questions[0].text.de: text of 601 characters; at most 600" in joined
    assert "questionnaires[0].questions[0].options[1].text: text of 61 characters" in joined
