"""Sample documents at their fullest for the browser and paper tests.

Every chapter with content and the awkward cases a town will meet: long titles and names, a
web address with no place to break, four-digit figures in every training column, a draft
review with comments, a full workshop with a waiting list, a late measure and one reached
late. The contexts are built directly (the SQL behind them has its own tests), so a layout
test fails for a layout reason.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from bot.documents.kinds import PACK, PLAN, PROGRESS
from bot.documents.pipeline import render_document
from bot.draft_summary import DraftReview, MeasureReview, ReviewComment
from bot.pack_context import (
    GroupLine,
    OptionLine,
    PackContext,
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
from bot.plan import Indicator, Milestone, PlanContext, PlannedMeasure
from bot.progress import IndicatorState, MeasureProgress, MilestoneState, NoteLine, ProgressContext
from storage.training_totals import Sources

TODAY = date(2028, 3, 1)
LONG_ORG = "Zweckverband Breitbandausbau Westmecklenburg-Südwest GmbH & Co. KG"
ADDRESS = "https://www.hagenow.de/rathaus/buergerservice/online-terminvergabe/formular?id=12345"
TRAINING_FIELDS = (
    "Handel / Verkauf",
    "Handwerk",
    "Industrie / Technik",
    "Gastgewerbe / Tourismus",
    "Verwaltung / Büro",
    "Gesundheit / Pflege",
    "IT / Medien",
    "Logistik / Verkehr",
)


def _options(labels: list[str], counts: list[int], answered: int) -> tuple[OptionLine, ...]:
    return tuple(
        OptionLine(str(n), label, count, 100.0 * count / answered)
        for n, (label, count) in enumerate(zip(labels, counts, strict=True))
    )


def _question(key: str, text: str, kind: str, answered: int, **parts: object) -> QuestionResult:
    return QuestionResult(
        key=key,
        text=text,
        type=kind,
        answered=answered,
        options=parts.get("options", ()),  # type: ignore[arg-type]
        stats=parts.get("stats"),  # type: ignore[arg-type]
        quotes=parts.get("quotes", ()),  # type: ignore[arg-type]
        low_label="gar nicht",
        high_label="sehr",
    )


def _status_quo(n: int) -> QuestionnaireResult:
    """A questionnaire of choice, rating and text questions, long enough to cross pages."""
    channels = [
        "Eigene Website mit Online-Shop und Terminbuchung",
        "Soziale Netzwerke (Instagram, Facebook, TikTok)",
        "Telefon",
        "E-Mail",
        "Lokale Zeitung und Anzeigenblatt",
        "Schaufenster",
    ]
    quotes = (
        QuoteGroup(
            "Unternehmen / Gewerbe",
            (
                Quote(
                    "Langsames Internet im Gewerbegebiet Hagenow-Nord",
                    "ein Unternehmen",
                    4,
                    ("Blumen Müller", LONG_ORG),
                ),
                Quote(f"Termine gibt es nur per Telefon, siehe {ADDRESS}", LONG_ORG),
                Quote(
                    "Kartenzahlung fehlt in vielen kleinen Läden der Innenstadt.", "Blumen Müller"
                ),
            ),
            more=3,
            given=9,
        ),
        QuoteGroup("Schulen", (Quote("WLAN in den Klassenräumen fehlt.", "eine Schule"),), 0, 1),
    )
    questions = []
    for i in range(2):
        questions.append(
            _question(
                f"sq{n}.kanal{i}",
                f"Über welche Wege erreichen Kundinnen und Kunden Ihren Betrieb "
                f"heute? (Frage {n}.{i})",
                "multi",
                40,
                options=_options(channels, [31, 22, 19, 12, 7, 3], 40),
            )
        )
        questions.append(
            _question(
                f"sq{n}.note{i}",
                "Wie digital ist Ihr Betrieb heute?",
                "rating",
                38,
                options=_options(["1", "2", "3", "4", "5"], [3, 8, 14, 9, 4], 38),
                stats=Stats(38, 3.1, 3.0, 1.0, 5.0),
            )
        )
        questions.append(
            _question(f"sq{n}.text{i}", "Was hindert Sie am meisten?", "text", 10, quotes=quotes)
        )
    return QuestionnaireResult(f"sq{n}", f"Status quo Einzelhandel, Teil {n}", 40, tuple(questions))


def sample_pack() -> PackContext:
    """The retail workshop's pack with every chapter filled."""
    measures = tuple(
        MeasureReview(
            f"h-{n}",
            "handel",
            f"Digitales Schaufenster der Hagenower Geschäfte mit gemeinsamer Lieferung ({n})",
            1234,
            4.3,
            3.9,
            2.8,
            3.67,
            1.14,
            n == 1,
            n < 3,
            (
                ReviewComment(
                    f"Bitte mit dem Gewerbeverein abstimmen: {ADDRESS}",
                    LONG_ORG,
                    n,
                    "firm",
                    "2027-05-01",
                ),
            )
            if n < 3
            else (),
        )
        for n in range(1, 7)
    )
    return PackContext(
        lang="de",
        consultation_title="Digitale Agenda Hagenow",
        town="Hagenow",
        workshop_id="ws-handel",
        title="Workshop Einzelhandel / Gewerbe",
        field_title="Einzelhandel / Gewerbe",
        field_description="Handel, Handwerk, Industrie.",
        starts=datetime(2028, 3, 15, 17, 0),
        ends=datetime(2028, 3, 15, 20, 0),
        place="Rathaus Hagenow, Lange Straße 28-32, Ratssaal",
        capacity=15,
        generated=TODAY,
        period_start=date(2028, 1, 10),
        period_end=date(2028, 2, 28),
        asked_groups=("Unternehmen / Gewerbe", "Einzelhandel", "Schulen", "Vereine / Verbände"),
        groups=(
            GroupLine("Unternehmen / Gewerbe", 1120, 1048),
            GroupLine("Einzelhandel", 64, 41),
            GroupLine("Schulen / Berufsschulen und weitere Bildungsträger", 9, 7),
        ),
        invited=1193,
        answered=1096,
        status_quo=(_status_quo(1),),
        best_practice=(),
        suggestions=tuple(
            Suggestion(
                LONG_ORG if n % 2 else "eine Schule",
                "Unternehmen / Gewerbe",
                (
                    ("Welches Beispiel ist es?", "Online-City Wuppertal"),
                    ("Was funktioniert dort gut?", f"Gemeinsamer Marktplatz, siehe {ADDRESS}"),
                    (
                        "Was bräuchte es, damit das in Hagenow funktioniert?",
                        "Eine Kümmerin im Rathaus und Geld für zwei Jahre.",
                    ),
                ),
            )
            for n in range(8)
        ),
        suggestions_more=3,
        goals=(_status_quo(2),),
        problems=tuple(
            ProblemLine(
                n,
                f"Langsames Internet im Gewerbegebiet ({n})",
                "Uploads dauern Stunden; Kunden warten.",
                40 - n,
                LONG_ORG,
                8 if n == 1 else 1,
            )
            for n in range(1, 16)
        ),
        problem_titles=tuple(
            ProblemLine(n, f"Parkplätze am Bahnhof ohne Ladesäulen ({n})", "", 2, "ein Verein")
            for n in range(16, 30)
        ),
        problems_more=4,
        training=Training(
            "Ausbildungswünsche (Schulen)",
            "Ausbildungsplätze (Betriebe)",
            1204,
            3087,
            tuple(
                TrainingLine(f"f{n}", label, 1000 + n * 111, 1900 - n * 37, 1200 + n, 1300 + n)
                for n, label in enumerate(TRAINING_FIELDS)
            ),
            Sources(1102, 102, 2987, 100),
            1234,
            2345,
        ),
        participants=tuple(
            Participant(
                LONG_ORG if n % 4 == 0 else f"Blumen Müller {n}",
                "Unternehmen / Gewerbe",
                "offered" if n == 14 else "registered",
                0,
            )
            for n in range(15)
        ),
        waiting=tuple(
            Participant("ein Unternehmen aus dem Einzelhandel", "Einzelhandel", "waiting", n)
            for n in range(1, 4)
        ),
        draft=DraftReview(3, "Entwurf Handlungskonzept, zweite Fassung", measures),
    )


_MEASURES = (
    (
        "v-termine",
        "Online-Terminvergabe im Bürgerbüro und in allen Ämtern der Stadtverwaltung",
        [
            ("Ausschreibung", date(2027, 6, 30)),
            ("Software beauftragt", date(2027, 9, 30)),
            ("Online-Termine freigeschaltet", date(2028, 1, 15)),
            ("Auswertung nach einem Jahr", date(2029, 1, 31)),
        ],
    ),
    (
        "h-schaufenster",
        "Digitales Schaufenster der Hagenower Geschäfte",
        [("Förderantrag gestellt", date(2027, 10, 31)), ("Plattform online", date(2028, 12, 31))],
    ),
    (
        "t-wlan",
        "Kostenloses WLAN in der Innenstadt, am Bahnhof und im Freibad",
        [("Standorte festgelegt", date(2027, 11, 30)), ("Zugänge in Betrieb", date(2028, 2, 15))],
    ),
)


def sample_plan() -> PlanContext:
    """The published plan: three measures, the first milestone on the scale's first day."""
    return PlanContext(
        "de",
        "Zeit-Maßnahmen-Plan Digitale Agenda Hagenow 2027–2029",
        "Digitale Agenda Hagenow",
        "Hagenow",
        3,
        TODAY,
        tuple(
            PlannedMeasure(
                key,
                title,
                "Verwaltung",
                "Amt für Bürgerservice, Frau Beispiel",
                ("Anforderungen mit den Ämtern klären", "Ausschreibung", "Einführung"),
                tuple(Milestone(t, d) for t, d in milestones),
                (
                    Indicator("Anteil online gebuchter Termine an allen Terminen", 60, "Prozent"),
                    Indicator("Geschäfte mit Online-Auftritt", 40, "Geschäfte"),
                ),
            )
            for key, title, milestones in _MEASURES
        ),
    )


def sample_progress() -> ProgressContext:
    """Progress as of TODAY: one measure late, one with a milestone reached two weeks late."""
    reached = {
        "Ausschreibung": date(2027, 6, 20),
        "Software beauftragt": date(2027, 10, 14),
        "Online-Termine freigeschaltet": date(2028, 1, 10),
        "Förderantrag gestellt": None,
        "Standorte festgelegt": date(2027, 11, 28),
        "Zugänge in Betrieb": date(2028, 2, 14),
    }
    plan = sample_plan()
    measures = []
    for m, status in zip(plan.measures, ("on_time", "late", "done"), strict=True):
        measures.append(
            MeasureProgress(
                m.measure_id,
                m.title,
                m.action_field,
                m.responsible,
                m.start,
                m.end,
                status,
                tuple(MilestoneState(x.title, x.due, reached.get(x.title)) for x in m.milestones),
                (
                    IndicatorState(m.indicators[0].name, 60, "Prozent", 37.5, date(2028, 2, 1)),
                    IndicatorState(m.indicators[1].name, 40, "Geschäfte", None, None),
                ),
                (NoteLine(date(2028, 2, 2), "Schulung der Ämter im Februar abgeschlossen."),),
            )
        )
    return ProgressContext(
        "de", plan.title, plan.consultation_title, plan.town, TODAY, tuple(measures)
    )


@dataclass(frozen=True)
class Document:
    """A rendered sample document: its name, self-contained HTML and PDF."""

    name: str
    html: str
    pdf: bytes


DOCUMENTS = ("pack", "plan", "progress")


@functools.cache
def rendered(name: str) -> Document:
    """A sample document rendered as the bot renders it (once per test process)."""
    if name == "pack":
        result = render_document(PACK, sample_pack())
    elif name == "plan":
        result = render_document(PLAN, sample_plan())
    else:
        result = render_document(PROGRESS, sample_progress())
    return Document(name, result.html, result.pdf)
