"""Workshop briefing packs: the context a pack renders, built from the database.

``build_pack`` gathers everything one workshop's pack shows (figures aggregated in SQL by
``storage.packs``) into frozen, picklable dataclasses, so the slow part - charts, HTML, PDF -
can run in a worker process (``bot.documents.pipeline``). No user-facing text is made here:
titles come from the consultation file, every other word from ``templates/packs/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot import similar, training
from bot.consultation.catalogue import load_catalogue
from bot.consultation.model import Consultation, Event, Question, Questionnaire
from bot.draft_summary import DraftReview, latest_review
from bot.questions import KINDS
from storage import packs as store
from storage import workshops as registrations
from storage.db import Database
from storage.training import Sources

PACK_SECTIONS = ("status_quo", "best_practice", "goals")


# What fits a handout for a workshop of 15 people; everything is in the export (agenda-bot export).
QUOTES_PER_GROUP = 5  # free-text answers per question and stakeholder group
SUGGESTIONS_SHOWN = 20  # best-practice cards
PROBLEMS_IN_FULL = 15  # problem reports with their description, most shared first
PROBLEM_TITLES = 30  # further reports listed by title


class UnknownWorkshop(LookupError):
    """No workshop with this id; ``valid`` lists the ids there are."""

    def __init__(self, workshop_id: str, valid: Sequence[str]) -> None:
        super().__init__(workshop_id)
        self.workshop_id = workshop_id
        self.valid = tuple(valid)


@dataclass(frozen=True)
class GroupLine:
    """Response figures of one stakeholder group."""

    title: str
    invited: int
    answered: int


@dataclass(frozen=True)
class OptionLine:
    """One bar of a distribution: its label, count and share of the question's answers (%)."""

    key: str  # option id, '1'..'5' for ratings, 'true'/'false' for yes/no
    label: str  # from the consultation file; empty for yes/no (the template names them)
    count: int
    share: float


@dataclass(frozen=True)
class Stats:
    """Mean and median (and range) of a rating or number question."""

    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Quote:
    """A free-text answer and who said it: the organisation if it may be named, else the group.

    Identical answers (same words, case and spacing aside) are one quote: ``count`` says how
    often it was given, ``source`` names the first to give it, ``others`` the rest (unique)."""

    text: str
    source: str
    count: int = 1
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuoteGroup:
    """Free-text answers of one stakeholder group."""

    group: str
    quotes: tuple[Quote, ...]
    more: int = 0  # further answers of this group, left out of print (all are in the export)
    given: int = 0  # answers the group gave, shown or not


@dataclass(frozen=True)
class Participant:
    """Someone on a workshop's lists, named by the naming rule (organisation or group label)."""

    name: str
    group: str
    status: str  # registered, offered (a freed seat offered, not yet taken) or waiting
    position: int  # place on the waiting list (waiting only)


@dataclass(frozen=True)
class QuestionResult:
    """What one question yielded."""

    key: str  # "<questionnaire>.<question>", names its chart
    text: str
    type: str
    answered: int
    options: tuple[OptionLine, ...]
    stats: Stats | None
    quotes: tuple[QuoteGroup, ...]
    low_label: str | None
    high_label: str | None

    @property
    def has_chart(self) -> bool:
        """Whether a distribution chart is drawn for this question."""
        return bool(self.options) and self.answered > 0

    @property
    def quoted(self) -> bool:
        """Whether its answers are free text, quoted rather than counted."""
        return KINDS[self.type].quoted


@dataclass(frozen=True)
class QuestionnaireResult:
    """One questionnaire of the workshop's field, question by question."""

    id: str
    title: str
    respondents: int
    questions: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class Suggestion:
    """One person's best-practice answers, as (question, answer) pairs in order."""

    source: str
    group: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ProblemLine:
    """A problem, ranked by "affects us too": one report, or several with alike titles
    (``bot.similar``) shown once with the most shared one's text."""

    rank: int
    title: str
    description: str
    votes: int  # people who said "affects us too" on any of the reports, each counted once
    source: str
    reports: int = 1  # reports grouped in this line


@dataclass(frozen=True)
class TrainingLine:
    """Seeking pupils and offered places in one occupational field (catalogue field)."""

    field_id: str
    label: str
    seeking: int
    offered: int
    seeking_internship: int = 0
    internships: int = 0

    @property
    def gap(self) -> int:
        """Offered minus seeking: negative where places are missing."""
        return self.offered - self.seeking


@dataclass(frozen=True)
class Training:
    """The training-places comparison (schools' demand against firms' supply).

    The figures follow ``bot.training.Matching``: per organisation the /ausbildung figures
    where it used the flow, else its questionnaire answers; nobody counted twice.
    """

    demand_title: str
    supply_title: str
    schools: int
    firms: int
    lines: tuple[TrainingLine, ...]
    sources: Sources | None = None
    internships_seeking: int = 0  # asked without a field (questionnaires)
    internships_offered: int = 0

    @property
    def seeking(self) -> int:
        return sum(line.seeking for line in self.lines)

    @property
    def offered(self) -> int:
        return sum(line.offered for line in self.lines)


@dataclass(frozen=True)
class PackContext:
    """Everything one workshop's briefing pack shows."""

    lang: str
    consultation_title: str
    town: str
    workshop_id: str
    title: str
    field_title: str
    field_description: str
    starts: datetime
    ends: datetime
    place: str
    capacity: int
    generated: date
    period_start: date | None
    period_end: date | None
    asked_groups: tuple[str, ...]
    groups: tuple[GroupLine, ...]
    invited: int
    answered: int
    status_quo: tuple[QuestionnaireResult, ...]
    best_practice: tuple[QuestionnaireResult, ...]
    suggestions: tuple[Suggestion, ...]
    suggestions_more: int
    goals: tuple[QuestionnaireResult, ...]
    problems: tuple[ProblemLine, ...]  # the most shared, in full
    problem_titles: tuple[ProblemLine, ...]  # the next ones, title and count only
    problems_more: int
    training: Training | None
    # The registered participants (and offered seats), by name where the organisation agreed,
    # else its group's anonymous label; the waiting list in its order.
    participants: tuple[Participant, ...] = ()
    waiting: tuple[Participant, ...] = ()
    # The review of the latest published draft, this workshop's action field only.
    draft: DraftReview | None = None

    @property
    def empty(self) -> bool:
        """No answers and no problem reports yet for this workshop's field."""
        return self.answered == 0 and not self.problems


def workshop_ids(consultation: Consultation) -> list[str]:
    """The ids /digest and the CLI accept."""
    return [event.id for event in consultation.workshops]


def find_workshop(consultation: Consultation, workshop_id: str) -> Event:
    """The workshop with this id, or UnknownWorkshop naming the valid ones."""
    event = consultation.event(workshop_id)
    if event is None or event.kind != "workshop":
        raise UnknownWorkshop(workshop_id, workshop_ids(consultation))
    return event


def field_questionnaires(consultation: Consultation, field: str | None) -> list[Questionnaire]:
    """The status quo, best practice and goals questionnaires of an action field."""
    qns = consultation.questionnaires
    return [q for q in qns if q.action_field == field and q.kind in PACK_SECTIONS]


class _Labels:
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


async def build_pack(
    db: Database, consultation: Consultation, workshop_id: str, today: date, lang: str = "de"
) -> PackContext:
    """Gather one workshop's pack from the database; UnknownWorkshop for a wrong id."""
    event = find_workshop(consultation, workshop_id)
    field = consultation.action_field(event.action_field) if event.action_field else None
    labels = _Labels(consultation, lang)
    questionnaires = field_questionnaires(consultation, event.action_field)
    training = await _training(db, consultation, lang, field is not None and field.training)
    counted = [q.id for q in questionnaires]
    asked = _unique(g for q in questionnaires for g in q.groups)
    invited = {r.group_id: r.count for r in await store.invited_by_group(db, asked)}
    answered = {r.group_id: r.count for r in await store.respondents_by_group(db, counted)}
    group_order = asked + [g for g in answered if g not in asked]
    groups = tuple(
        GroupLine(labels.title(g), invited.get(g, 0), answered.get(g, 0))
        for g in group_order
        if invited.get(g) or answered.get(g)
    )
    results = {q.id: await _questionnaire(db, q, labels, lang) for q in questionnaires}
    by_kind = {
        kind: tuple(results[q.id] for q in questionnaires if q.kind == kind)
        for kind in PACK_SECTIONS
    }
    suggestions: list[Suggestion] = []
    for q in questionnaires:
        if q.kind == "best_practice":
            suggestions += await _suggestions(db, q, labels, lang)
    ranked = await _problem_lines(db, event.action_field or "", labels)
    # A handout for 15 people: the most shared reports in full, the next ones as a list.
    problems = tuple(ranked[:PROBLEMS_IN_FULL])
    problem_titles = tuple(ranked[PROBLEMS_IN_FULL : PROBLEMS_IN_FULL + PROBLEM_TITLES])
    listed = await _participants(db, event.id, labels)
    return PackContext(
        lang=lang,
        consultation_title=consultation.title.get(lang),
        town=consultation.town,
        workshop_id=event.id,
        title=event.title.get(lang),
        field_title=field.title.get(lang) if field else "",
        field_description=field.description.get(lang) if field and field.description else "",
        starts=event.starts,
        ends=event.ends,
        place=event.place,
        capacity=event.capacity,
        generated=today,
        period_start=min((q.opens for q in questionnaires), default=None),
        period_end=max((q.closes for q in questionnaires), default=None),
        asked_groups=tuple(labels.title(g) for g in asked),
        groups=groups,
        invited=sum(invited.values()),
        answered=sum(answered.values()),
        status_quo=by_kind["status_quo"],
        best_practice=by_kind["best_practice"],
        suggestions=tuple(suggestions[:SUGGESTIONS_SHOWN]),
        suggestions_more=max(0, len(suggestions) - SUGGESTIONS_SHOWN),
        goals=by_kind["goals"],
        problems=problems,
        problem_titles=problem_titles,
        problems_more=max(0, len(ranked) - len(problems) - len(problem_titles)),
        training=training,
        participants=tuple(p for p in listed if p.status != "waiting"),
        waiting=tuple(p for p in listed if p.status == "waiting"),
        draft=await latest_review(db, labels.source, event.action_field)
        if event.action_field
        else None,
    )


async def _problem_lines(db: Database, field_id: str, labels: _Labels) -> list[ProblemLine]:
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


async def _participants(db: Database, event_id: str, labels: _Labels) -> list[Participant]:
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


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def _questionnaire(
    db: Database, qn: Questionnaire, labels: _Labels, lang: str
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


def _quote_groups(texts: Sequence[store.TextAnswer], labels: _Labels) -> tuple[QuoteGroup, ...]:
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
                tuple(s for s in _unique(s for _, s in given) if s != given[0][1]),
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


async def _suggestions(
    db: Database, qn: Questionnaire, labels: _Labels, lang: str
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


async def _training(
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
