"""Rendering the time-and-measures plan: a timeline (``bot.documents.timeline``, HTML and CSS),
HTML, PDF.

The timeline has one bar per measure from its first to its last milestone, a diamond on each
milestone and a dashed line for today; the same dates stand in the table below it, so the
picture is never the only source. Like the packs, ``render_plan`` is a plain function of a
picklable context and runs in a worker process from the bot (``bot.documents.worker.in_worker``).
"""

from __future__ import annotations

from jinja2 import Environment

from bot.documents import timeline
from bot.documents.pack_render import RenderedPack, render_pdf, self_contained
from bot.documents.worker import RENDER_TIMEOUT, Queued, RenderPool
from bot.plan import PlanContext
from bot.texts import build_environment

PLAN_TEMPLATE = "packs/plan.html.j2"


def plan_timeline(ctx: PlanContext) -> timeline.Timeline | None:
    """The plan's measures on one scale, today marked (None without measures)."""
    return timeline.build(
        [
            timeline.Span(m.title, "on_time", [(x.title, x.due, "open") for x in m.milestones])
            for m in ctx.measures
        ],
        ctx.generated,
    )


def render_plan_html(ctx: PlanContext, env: Environment | None = None) -> str:
    """The plan's HTML master, complete in one file."""
    env = env or build_environment()
    return env.get_template(PLAN_TEMPLATE).render(plan=ctx, line=plan_timeline(ctx))


def render_plan(ctx: PlanContext) -> RenderedPack:
    """HTML and PDF of the plan; the work a worker process does."""
    html = render_plan_html(ctx)
    return RenderedPack(self_contained(html), render_pdf(html))


async def render_plan_in_worker(
    pool: RenderPool, ctx: PlanContext, limit: float = RENDER_TIMEOUT, queued: Queued | None = None
) -> RenderedPack:
    """render_plan in the render pool; RenderTimeout after `limit` seconds."""
    return await pool.run(render_plan, ctx, limit, "plan", queued=queued)
