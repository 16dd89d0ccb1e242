"""Rendering the time-and-measures plan: a timeline chart (matplotlib, Agg), HTML, PDF.

The chart has one bar per measure from its first to its last milestone and a marker on each
milestone; the same dates stand in the table beside it, so the chart is never the only source.
Like the packs, ``render_plan`` is a plain function of a picklable context and runs in a worker
process from the bot (``bot.render_worker.in_worker``).
"""

from __future__ import annotations

import base64
import io
from datetime import date

from jinja2 import Environment

from bot.pack_charts import BAR_COLOUR, shorten
from bot.pack_render import RenderedPack, render_pdf
from bot.plan import PlanContext
from bot.render_worker import RENDER_TIMEOUT, in_worker
from bot.texts import build_environment

PLAN_TEMPLATE = "packs/plan.html.j2"
MARKER_COLOUR = "#c0392b"
CHART_DPI = 150  # the timeline is printed across the page


def gantt(ctx: PlanContext) -> str:
    """The timeline as a PNG data URI (empty without measures)."""
    if not ctx.measures:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib import pyplot as plt

    def day(value: date) -> float:
        return float(mdates.date2num(value))

    fig, ax = plt.subplots(figsize=(7.0, 0.45 * len(ctx.measures) + 0.9))
    try:
        for row, m in enumerate(ctx.measures):
            width = max(day(m.end) - day(m.start), 4.0)  # a one-day measure stays visible
            ax.barh(row, width, left=day(m.start), height=0.45, color=BAR_COLOUR, alpha=0.55)
            ax.plot([day(x.due) for x in m.milestones], [row] * len(m.milestones), "D",
                    color=MARKER_COLOUR, markersize=5)  # fmt: skip
        ax.set_yticks(range(len(ctx.measures)), [shorten(m.title, 30) for m in ctx.measures],
                      fontsize=8)  # fmt: skip
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", linewidth=0.4, alpha=0.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout(pad=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=CHART_DPI)
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render_plan_html(
    ctx: PlanContext, env: Environment | None = None, *, with_chart: bool = True
) -> str:
    """The plan's HTML master (the chart inline as a data URI)."""
    env = env or build_environment()
    chart = gantt(ctx) if with_chart else ""
    return env.get_template(PLAN_TEMPLATE).render(plan=ctx, chart=chart)


def render_plan(ctx: PlanContext) -> RenderedPack:
    """HTML and PDF of the plan; the work a worker process does."""
    html = render_plan_html(ctx)
    return RenderedPack(html, render_pdf(html))


async def render_plan_in_worker(ctx: PlanContext, limit: float = RENDER_TIMEOUT) -> RenderedPack:
    """render_plan in the render worker; RenderTimeout after `limit` seconds."""
    return await in_worker(render_plan, ctx, limit, "plan")
