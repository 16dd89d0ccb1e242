"""A town's own ids live in its files, not in the code: which groups answer without an
organisation, which action field's pack shows training places, how the training questionnaires
ask internships. Another town sets them in its YAML; a wrong value is named with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.consultation.catalogue import CatalogueError, load_catalogue, parse_catalogue
from bot.consultation.model import Consultation, parse_consultation
from tests.test_consultation import errors_of, has, raw


@pytest.fixture(scope="module")
def hagenow() -> Consultation:
    return parse_consultation(raw())


def test_hagenows_flags_are_in_its_file(hagenow: Consultation) -> None:
    assert [g.id for g in hagenow.groups if not g.organisation] == ["citizen"]
    assert not hagenow.needs_organisation("citizen")
    assert hagenow.needs_organisation("firm")
    assert [f.id for f in hagenow.action_fields if f.training] == ["handel"]


def test_another_town_chooses_its_own_groups_and_training_field() -> None:
    data = raw()
    for group in data["groups"]:
        group["organisation"] = group["id"] == "association"  # only associations need a name
    for field in data["action_fields"]:
        field["training"] = field["id"] == "tourismus"
    town = parse_consultation(data)
    assert town.needs_organisation("association")
    assert not town.needs_organisation("firm")
    assert [f.id for f in town.action_fields if f.training] == ["tourismus"]


def test_a_wrong_flag_is_named_with_its_place(tmp_path: Path) -> None:
    data = raw()
    data["groups"][0]["organisation"] = "vielleicht"
    data["action_fields"][0]["trainig"] = True
    errors = errors_of(tmp_path, data)
    assert has(errors, "groups[0].organisation", "expected true or false")
    assert has(errors, "action_fields[0].trainig", "did you mean 'training'")


def test_the_internships_question_comes_from_the_catalogue() -> None:
    catalogue = load_catalogue()
    assert catalogue.internships == "praktikum"
    assert catalogue.question_ids == (*catalogue.field_ids, "praktikum")
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(
            {
                "internships": "x",
                "fields": [{"id": "x", "title": "X", "occupations": [{"id": "a", "title": "A"}]}],
            }
        )
    assert "internships: 'x' is a field id" in str(caught.value)
