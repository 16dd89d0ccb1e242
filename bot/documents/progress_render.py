"""Rendering the progress report: HTML and PDF, in a worker process from the bot like the plan."""

from __future__ import annotations

from jinja2 import Environment

from bot.documents import timeline
from bot.documents.pack_render import RenderedPack, render_pdf, self_contained
from bot.documents.worker import RENDER_TIMEOUT, Queued, RenderPool
from bot.progress import ProgressContext
from bot.texts import build_environment

PROGRESS_TEMPLATE = "packs/progress.html.j2"


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


def render_progress_html(ctx: ProgressContext, env: Environment | None = None) -> str:
    """The report's HTML master, complete in one file."""
    env = env or build_environment()
    return env.get_template(PROGRESS_TEMPLATE).render(
        report=ctx, counts=ctx.counts(), line=progress_timeline(ctx)
    )


def render_progress(ctx: ProgressContext) -> RenderedPack:
    """HTML and PDF of the report; the work a worker process does."""
    html = render_progress_html(ctx)
    return RenderedPack(self_contained(html), render_pdf(html))


async def render_progress_in_worker(
    pool: RenderPool,
    ctx: ProgressContext,
    limit: float = RENDER_TIMEOUT,
    queued: Queued | None = None,
) -> RenderedPack:
    """render_progress in the render pool; RenderTimeout after `limit` seconds."""
    return await pool.run(render_progress, ctx, limit, "progress report", queued=queued)
