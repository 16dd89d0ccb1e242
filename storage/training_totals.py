"""Training places: the matching aggregates, /ausbildung figures and questionnaires combined.

Apart from ``storage.training`` (the records one school or firm keeps through /ausbildung),
because these queries read both sources at once and count each organisation once: the rule
lives in one SQL text, ``_COMBINED``, shared by the totals and the count of sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class FieldTotals:
    """Per field: pupils seeking and places offered, summed over everyone."""

    field_id: str
    seeking_training: int
    seeking_internship: int
    places: int
    internships: int
    schools: int
    firms: int


@dataclass(frozen=True)
class Sources:
    """Who the combined figures rest on: organisations (or single people) per side and source."""

    schools_flow: int
    schools_questionnaire: int
    firms_flow: int
    firms_questionnaire: int


# The combined figures: an organisation that used /ausbildung counts with those figures (on
# that side: a school with any figure, 0 too; a firm with an offer of at least one place or
# internship), otherwise with its people's answers to the training questionnaires; a person
# without an organisation counts as their own. The catalogue's internships question (not a
# field) counts as internships. Parameters: demand questionnaire, supply questionnaire, fields,
# the internships question.
_COMBINED = """
WITH q AS (
    SELECT a.questionnaire_id AS qn, a.question_id AS field_id,
           CAST(json_extract(a.value, '$') AS INTEGER) AS n,
           COALESCE('o' || p.organisation_id, 'p' || p.id) AS who, p.organisation_id AS org
    FROM answers a JOIN people p ON p.id = a.person_id
    WHERE a.value IS NOT NULL AND json_type(a.value) IN ('integer', 'real')
),
parts AS (
    SELECT field_id, seeking_training AS st, seeking_internship AS si, 0 AS pl, 0 AS it,
           'o' || organisation_id AS school, NULL AS firm, 'flow' AS source
    FROM training_demand
    UNION ALL
    SELECT field_id, 0, 0, places, internships, NULL, 'o' || organisation_id, 'flow'
    FROM training_offers_counted WHERE places + internships > 0
    UNION ALL
    SELECT field_id, CASE WHEN field_id = ?4 THEN 0 ELSE n END,
           CASE WHEN field_id = ?4 THEN n ELSE 0 END, 0, 0, who, NULL, 'questionnaire'
    FROM q
    WHERE qn = ?1 AND field_id IN (SELECT value FROM json_each(?3))
      AND (org IS NULL OR org NOT IN (SELECT organisation_id FROM training_demand))
    UNION ALL
    SELECT field_id, 0, 0, CASE WHEN field_id = ?4 THEN 0 ELSE n END,
           CASE WHEN field_id = ?4 THEN n ELSE 0 END, NULL, who, 'questionnaire'
    FROM q
    WHERE qn = ?2 AND field_id IN (SELECT value FROM json_each(?3))
      AND (org IS NULL OR org NOT IN (SELECT organisation_id FROM training_offers
                                      WHERE places + internships > 0))
)
"""


def _combined_params(
    demand: str | None, supply: str | None, fields: list[str], internships: str | None
) -> tuple[str, ...]:
    return (demand or "", supply or "", json.dumps(fields), internships or "")


async def combined_totals(
    db: Database,
    demand: str | None,
    supply: str | None,
    fields: list[str],
    internships: str | None = None,
) -> list[FieldTotals]:
    """Per field: the /ausbildung figures combined with the training questionnaires' answers,
    no organisation counted twice (see _COMBINED); schools and firms count those with > 0."""
    rows = await db.fetchall(
        _COMBINED  # noqa: S608 - constants only
        + """SELECT field_id, SUM(st) AS st, SUM(si) AS si, SUM(pl) AS pl, SUM(it) AS it,
                    COUNT(DISTINCT CASE WHEN st + si > 0 THEN school END) AS schools,
                    COUNT(DISTINCT CASE WHEN pl + it > 0 THEN firm END) AS firms
             FROM parts GROUP BY field_id""",
        _combined_params(demand, supply, fields, internships),
    )
    return [
        FieldTotals(
            row["field_id"],
            row["st"],
            row["si"],
            row["pl"],
            row["it"],
            row["schools"],
            row["firms"],
        )
        for row in rows
    ]


async def combined_sources(
    db: Database,
    demand: str | None,
    supply: str | None,
    fields: list[str],
    internships: str | None = None,
) -> Sources:
    """How many schools and firms the combined figures rest on, per source."""
    row = await db.fetchone(
        _COMBINED  # noqa: S608 - constants only
        + """SELECT COUNT(DISTINCT CASE WHEN source = 'flow' THEN school END) AS sf,
                    COUNT(DISTINCT CASE WHEN source = 'questionnaire' THEN school END) AS sq,
                    COUNT(DISTINCT CASE WHEN source = 'flow' THEN firm END) AS ff,
                    COUNT(DISTINCT CASE WHEN source = 'questionnaire' THEN firm END) AS fq
             FROM parts""",
        _combined_params(demand, supply, fields, internships),
    )
    assert row is not None
    return Sources(row["sf"], row["sq"], row["ff"], row["fq"])
