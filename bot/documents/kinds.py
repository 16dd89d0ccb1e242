"""The documents the bot makes, each declared once: template, context, charts, file name.

Every one is rendered by ``bot.documents.pipeline`` (HTML and PDF, in the render pool from the
bot): the briefing pack (/digest, ``agenda-bot digest``, the automatic digests), the plan
(/plan, ``agenda-bot plan render``), the progress report (/fortschritt, ``agenda-bot plan
progress``) and the invitation letters (``agenda-bot invite letters``). A new document is a
template in ``templates/packs/``, a context dataclass built elsewhere, and a kind here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

from bot.documents import timeline
from bot.documents.charts import Bars, Charts
from bot.documents.letters import LettersContext, long_date
from bot.documents.pipeline import DocumentKind
from bot.pack_context import PackContext, QuestionResult
from bot.plan import PlanContext
from bot.progress import ProgressContext

LABELS_TEMPLATE = "packs/_labels.j2"


# ------------------------------------------------------------------ the briefing pack


def chart_questions(ctx: PackContext) -> list[QuestionResult]:
    """The questions of a pack that get a chart, in document order."""
    results = [*ctx.status_quo, *ctx.best_practice, *ctx.goals]
    return [q for result in results for q in result.questions if q.has_chart]


def pack_labels(env: Environment, ctx: PackContext) -> Any:
    """The label macros (yes/no, scale points) in the pack's language."""
    return env.get_template(LABELS_TEMPLATE).make_module({"lang": ctx.lang})


def _pack_charts(ctx: PackContext, env: Environment) -> Charts:
    """Each counted question's distribution; yes/no and 1-5 are named by the label macros."""
    labels = pack_labels(env, ctx)
    return {
        q.key: Bars(
            tuple(o.label or str(labels.option_label(q.type, o.key)).strip() for o in q.options),
            tuple(o.count for o in q.options),
        )
        for q in chart_questions(ctx)
    }


def _pack_variables(ctx: PackContext) -> Mapping[str, Any]:
    return {"pack": ctx}


def _pack_stem(ctx: PackContext) -> str:
    return ctx.workshop_id


PACK = DocumentKind(
    "pack", "packs/briefing.html.j2", PackContext, _pack_variables, _pack_stem, _pack_charts
)


# ------------------------------------------------------------------ the plan


def plan_timeline(ctx: PlanContext) -> timeline.Timeline | None:
    """The plan's measures on one scale, today marked (None without measures)."""
    return timeline.build(
        [
            timeline.Span(m.title, "on_time", [(x.title, x.due, "open") for x in m.milestones])
            for m in ctx.measures
        ],
        ctx.generated,
    )


def _plan_variables(ctx: PlanContext) -> Mapping[str, Any]:
    return {"plan": ctx, "line": plan_timeline(ctx)}


def _plan_stem(ctx: PlanContext) -> str:
    return "zeit-massnahmen-plan"


PLAN = DocumentKind("plan", "packs/plan.html.j2", PlanContext, _plan_variables, _plan_stem)


# ------------------------------------------------------------------ the progress report


def progress_timeline(ctx: ProgressContext) -> timeline.Timeline | None:
    """Each measure's corridor with its milestones' states and today (None without measures)."""
    today = ctx.generated
    return timeline.build(
        [
            timeline.Span(
                m.title, m.status, [(x.title, x.due, x.state(today)) for x in m.milestones]
            )
            for m in ctx.measures
        ],
        today,
    )


def _progress_variables(ctx: ProgressContext) -> Mapping[str, Any]:
    return {"report": ctx, "counts": ctx.counts(), "line": progress_timeline(ctx)}


def _progress_stem(ctx: ProgressContext) -> str:
    return "fortschrittsbericht"


PROGRESS = DocumentKind(
    "progress report",
    "packs/progress.html.j2",
    ProgressContext,
    _progress_variables,
    _progress_stem,
)


# ------------------------------------------------------------------ the invitation letters


def _letters_variables(ctx: LettersContext) -> Mapping[str, Any]:
    return {"ctx": ctx, "long_date": long_date}


def _letters_stem(ctx: LettersContext) -> str:
    return "einladungsbriefe"


LETTERS = DocumentKind(
    "letters", "packs/letters.html.j2", LettersContext, _letters_variables, _letters_stem
)

KINDS: tuple[DocumentKind[Any], ...] = (PACK, PLAN, PROGRESS, LETTERS)
