"""Rendering a briefing pack: charts (matplotlib, Agg), HTML (Jinja2), PDF (WeasyPrint).

``render_pack`` is a plain function of a picklable ``PackContext``, so it runs the same in the
command line and, from the bot, in a worker process with a time limit (``render_in_worker``):
the event loop only waits, other people's buttons keep answering.
"""

from __future__ import annotations

import asyncio
import base64
import io
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from bot.packs import PackContext, QuestionResult
from bot.texts import TEMPLATES_DIR, build_environment

PACK_TEMPLATE = "packs/briefing.html.j2"
LABELS_TEMPLATE = "packs/_labels.j2"
RENDER_TIMEOUT = 120.0  # seconds
BAR_COLOUR = "#2f6690"
CHART_DPI = 150  # sharp on A4 and on a phone


class RenderTimeout(TimeoutError):
    """The worker did not finish the pack within the time limit (it was stopped)."""


@dataclass(frozen=True)
class RenderedPack:
    """A pack's HTML master and its PDF."""

    html: str
    pdf: bytes


def _labels(env: Environment, ctx: PackContext) -> Any:
    return env.get_template(LABELS_TEMPLATE).make_module({"lang": ctx.lang})


def chart(question: QuestionResult, labels: Any) -> str:
    """A horizontal bar chart of a question's distribution, as a PNG data URI.

    PNG, not SVG: WeasyPrint draws an SVG chart's hundreds of glyph paths ten times slower.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    names = [
        option.label or str(labels.option_label(question.type, option.key)).strip()
        for option in question.options
    ]
    counts = [option.count for option in question.options]
    height = 0.35 * len(names) + 0.5
    fig, ax = plt.subplots(figsize=(4.2, height))
    try:
        bars = ax.barh(range(len(names)), counts, color=BAR_COLOUR)
        ax.set_yticks(range(len(names)), [_shorten(n) for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.bar_label(bars, fontsize=8, padding=2)
        ax.set_xlim(0, max([*counts, 1]) * 1.15)
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        fig.tight_layout(pad=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=CHART_DPI)
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _shorten(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def charts(ctx: PackContext, env: Environment) -> dict[str, str]:
    """Every chart of a pack, by question key."""
    labels = _labels(env, ctx)
    results = [*ctx.status_quo, *ctx.best_practice, *ctx.goals]
    return {
        q.key: chart(q, labels) for result in results for q in result.questions if q.has_chart
    }


def render_html(
    ctx: PackContext, env: Environment | None = None, *, with_charts: bool = True
) -> str:
    """The pack's HTML master (charts inline as data URIs)."""
    env = env or build_environment()
    drawn = charts(ctx, env) if with_charts else {}
    return env.get_template(PACK_TEMPLATE).render(pack=ctx, charts=drawn)


def render_pdf(html: str) -> bytes:
    """The PDF of a pack's HTML (print CSS: A4, page numbers, table of contents)."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # Raised on import where the system lacks the optional libharfbuzz-subset.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        from weasyprint import HTML

    # WeasyPrint logs every CSS property it does not know (those meant for screens).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # Whole fonts instead of subsets: a slightly larger file, about a second faster.
    pdf = HTML(string=html, base_url=str(TEMPLATES_DIR / "packs")).write_pdf(full_fonts=True)
    assert pdf is not None
    return bytes(pdf)


def render_pack(ctx: PackContext) -> RenderedPack:
    """HTML and PDF of a pack; the work a worker process does."""
    html = render_html(ctx)
    return RenderedPack(html, render_pdf(html))


async def render_in_worker(ctx: PackContext, limit: float = RENDER_TIMEOUT) -> RenderedPack:
    """render_pack in a fresh worker process; RenderTimeout (worker stopped) after `limit` s."""
    return await in_worker(render_pack, ctx, limit, f"pack {ctx.workshop_id}")


async def in_worker(
    render: Callable[[Any], RenderedPack], ctx: Any, limit: float, what: str
) -> RenderedPack:
    """render(ctx) in a fresh worker process; RenderTimeout (worker stopped) after `limit` s."""
    # spawn, not fork: the bot process has threads (aiosqlite, the HTTP client).
    pool = multiprocessing.get_context("spawn").Pool(processes=1)
    try:
        job = pool.apply_async(render, (ctx,))
        try:
            # get() with a timeout in a thread: the thread never outlives the limit.
            rendered: RenderedPack = await asyncio.to_thread(job.get, limit)
            return rendered
        except multiprocessing.TimeoutError:
            raise RenderTimeout(f"{what} not rendered within {limit} s") from None
    finally:
        # The job is done or abandoned; either way the worker goes (terminate joins briefly).
        await asyncio.to_thread(pool.terminate)


def write_pack(rendered: RenderedPack, out_dir: Path, workshop_id: str) -> tuple[Path, Path]:
    """Write <id>.html and <id>.pdf into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{workshop_id}.html"
    pdf_path = out_dir / f"{workshop_id}.pdf"
    html_path.write_text(rendered.html, encoding="utf-8")
    pdf_path.write_bytes(rendered.pdf)
    return html_path, pdf_path
