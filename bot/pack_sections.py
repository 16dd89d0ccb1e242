"""Workshop briefing packs: the sections of one pack, each built from the database.

One function a section (a questionnaire's results, the best-practice cards, the ranked problems,
the participants, the training table), apart from ``bot.packs`` which only picks the
workshop's questionnaires and puts the sections together. Figures are aggregated in SQL by
``storage.packs``; group names follow the naming rule in ``Labels``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot import similar, training
from bot.consultation.catalogue import load_catalogue
from bot.consultation.model import Consultation
from bot.consultation.questionnaire import Question, Questionnaire
from bot.pack_context import (
    OptionLine,
    Participant,
    ProblemLine,
    QuestionnaireResult,
    QuestionResult,
    Quote,
    QuoteGroup,
    Stats,
    Suggestion,
    Training,
    TrainingLine,
)
from storage import packs as store
from storage import workshops as registrations
from storage.db import Database

# What fits a handout for a workshop of 15 people (more in bot.packs); all is in the export.
QUOTES_PER_GROUP = 5  # free-text answers per question and stakeholder group


class Labels:
    """Group titles and anonymous labels in the pack's language."""

    def __init__(self, consultation: Consultation, lang: str) -> None:
        self.titles = {g.id: g.title.get(lang) for g in consultation.groups}
        self.anonymous = {g.id: g.anonymous.get(lang) for g in consultation.groups}

    def title(self, group_id: str) -> str:
        return self.titles.get(group_id, group_id)

    def source(self, group_id: str, organisation: str | None) -> str:
        """The organisation's name where it may be named; otherwise its group's anonymous label."""
        if organisation:
            return organisation
        return self.anonymous.get(group_id) or self.title(group_id)


async def problem_lines(db: Database, field_id: str, labels: Labels) -> list[ProblemLine]:
    """The field's reports, alike titles grouped (bot.similar) into one line whose votes are the
    people who said "affects us too" on any of them: each person once, reporters not at all.
    Lines are ranked by those votes, then by how many reports they group (reports staff merged
    into one of them included)."""
    entries = await store.problems_ranked(db, field_id)
    voters: dict[int, set[int]] = {}
    reporters: dict[int, set[int]] = {}
    for who in await store.problem_people(db, field_id):
        (reporters if who.reporter else voters).setdefault(who.problem_id, set()).add(who.person)
    grouped = []
    for alike in similar.group(entries, lambda entry: entry.title):
        ids = [entry.id for entry in alike]
        voted = set().union(*(voters.get(i, set()) for i in ids))
        reported = set().union(*(reporters.get(i, set()) for i in ids))
        # Reports staff merged into one of them count as reports of the line too.
        reports = sum(1 + entry.merged for entry in alike)
        grouped.append((len(voted - reported), reports, alike))
    grouped.sort(key=lambda line: (-line[0], -line[1]))  # stable: earlier first on a tie
    return [
        ProblemLine(
            rank,
            alike[0].title,
            alike[0].description,
            votes,
            labels.source(alike[0].group_id, alike[0].organisation),
            reports,
        )
        for rank, (votes, reports, alike) in enumerate(grouped, start=1)
    ]


async def participants(db: Database, event_id: str, labels: Labels) -> list[Participant]:
    """Who is registered or offered a seat, then the waiting list in its order."""
    return [
        Participant(
            labels.source(r.group_id or "", r.organisation if r.may_be_named else None),
            labels.title(r.group_id) if r.group_id else "",
            r.status,
            r.position,
        )
        for r in await registrations.of_event(db, event_id)
        if r.status in ("registered", "offered", "waiting")
    ]


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def questionnaire_result(
    db: Database, qn: Questionnaire, labels: Labels, lang: str
) -> QuestionnaireResult:
    answered = {r.question_id: r.answered for r in await store.answered_per_question(db, qn.id)}
    choice_ids = [q.id for q in qn.questions if q.kind.counted]
    counts: dict[tuple[str, str], int] = {
        (r.question_id, r.option): r.count for r in await store.option_counts(db, qn.id, choice_ids)
    }
    numeric_ids = [q.id for q in qn.questions if q.kind.summarised]
    stats = {r.question_id: r for r in await store.number_summaries(db, qn.id, numeric_ids)}
    text_ids = [q.id for q in qn.questions if q.kind.quoted]
    texts = await store.text_answers(db, qn.id, text_ids)
    total = sum(r.count for r in await store.respondents_by_group(db, [qn.id]))
    questions = []
    for q in qn.questions:
        n = answered.get(q.id, 0)
        summary = stats.get(q.id)
        quotes = _quote_groups([t for t in texts if t.question_id == q.id], labels)
        questions.append(
            QuestionResult(
                key=f"{qn.id}.{q.id}",
                text=q.text.get(lang),
                type=q.type,
                answered=n,
                options=_options(q, counts, n, lang),
                stats=Stats(
                    summary.count, summary.mean, summary.median, summary.minimum, summary.maximum
                )
                if summary
                else None,
                quotes=quotes,
                low_label=q.low_label.get(lang) if q.low_label else None,
                high_label=q.high_label.get(lang) if q.high_label else None,
            )
        )
    return QuestionnaireResult(qn.id, qn.title.get(lang), total, tuple(questions))


def _options(
    q: Question, counts: dict[tuple[str, str], int], answered: int, lang: str
) -> tuple[OptionLine, ...]:
    keys = q.kind.option_keys(q, lang)
    return tuple(
        OptionLine(
            key,
            label,
            counts.get((q.id, key), 0),
            100.0 * counts.get((q.id, key), 0) / answered if answered else 0.0,
        )
        for key, label in keys
    )


def _quote_groups(texts: Sequence[store.TextAnswer], labels: Labels) -> tuple[QuoteGroup, ...]:
    """Per group: identical answers merged (most given first), the first few shown, and how
    many answers the group gave in all."""
    grouped: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for t in texts:
        same = grouped.setdefault(t.group_id, {}).setdefault(_same_words(t.text), [])
        same.append((t.text, labels.source(t.group_id, t.organisation)))
    result = []
    for group_id, answers in grouped.items():
        merged = sorted(answers.values(), key=len, reverse=True)  # stable: first given first
        quotes = tuple(
            Quote(
                given[0][0],
                given[0][1],
                len(given),
                tuple(s for s in unique(s for _, s in given) if s != given[0][1]),
            )
            for given in merged[:QUOTES_PER_GROUP]
        )
        total = sum(len(given) for given in merged)
        shown = sum(q.count for q in quotes)
        result.append(QuoteGroup(labels.title(group_id), quotes, total - shown, total))
    return tuple(result)


def _same_words(text: str) -> str:
    """What makes two answers identical: their words, case and spacing aside."""
    return " ".join(text.casefold().split())


async def suggestions(
    db: Database, qn: Questionnaire, labels: Labels, lang: str
) -> list[Suggestion]:
    """Each respondent's free-text answers to a best-practice questionnaire, as one card."""
    text_ids = [q.id for q in qn.questions if q.kind.quoted]
    cards: dict[int, tuple[str, str, list[tuple[str, str]]]] = {}
    for t in await store.text_answers(db, qn.id, text_ids):
        question = qn.question(t.question_id)
        assert question is not None
        card = cards.setdefault(
            t.respondent,
            (labels.source(t.group_id, t.organisation), labels.title(t.group_id), []),
        )
        card[2].append((question.text.get(lang), t.text))
    # Every card asks its questions in the questionnaire's order, whenever they were answered.
    order = {q.text.get(lang): n for n, q in enumerate(qn.questions)}
    return [
        Suggestion(source, group, tuple(sorted(lines, key=lambda line: order[line[0]])))
        for source, group, lines in cards.values()
    ]


async def training_table(
    db: Database, consultation: Consultation, lang: str, always: bool
) -> Training | None:
    """Seeking pupils against offered places per catalogue field, from /ausbildung and the
    training questionnaires combined (bot.training.matching); None without any data."""
    demand = next((q for q in consultation.questionnaires if q.kind == "training_demand"), None)
    supply = next((q for q in consultation.questionnaires if q.kind == "training_supply"), None)
    found = await training.matching(db, load_catalogue(), lang, consultation)
    if found.empty and not always:
        return None
    src = found.sources
    return Training(
        demand.title.get(lang) if demand else "",
        supply.title.get(lang) if supply else "",
        src.schools_flow + src.schools_questionnaire,
        src.firms_flow + src.firms_questionnaire,
        tuple(
            TrainingLine(
                x.field_id, x.title, x.seeking, x.places, x.seeking_internship, x.internships
            )
            for x in found.lines
        ),
        src,
        found.internships_seeking,
        found.internships_offered,
    )
