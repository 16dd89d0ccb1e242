"""Workshop briefing packs: what a pack shows, as plain data.

Frozen, picklable dataclasses and nothing else, so the slow part - charts, HTML, PDF - can take
a ``PackContext`` into a worker process (``bot.documents.pipeline``) and the templates and test
fixtures can build one without a database. ``bot.packs`` fills them; ``bot.pack_sections`` makes
the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.draft_summary import DraftReview
from bot.questions import KINDS
from storage.training_totals import Sources


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
