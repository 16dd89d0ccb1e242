"""Rendering a briefing pack: charts (``bot.documents.charts``), HTML (Jinja2), PDF (WeasyPrint).

``render_pack`` is a plain function of a picklable ``PackContext``, so it runs the same in the
command line and, from the bot, in a warm worker process with a time limit
(``render_in_worker``, ``bot.documents.worker``): the event loop only waits, other people's
buttons keep answering. Inside, the charts are drawn by a second process while WeasyPrint lays
out the text (``bot.documents.charts.ChartSource``), so a pack uses both cores.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from bot.documents.charts import ChartSource, address, chart_questions
from bot.documents.worker import RENDER_TIMEOUT, Queued, RenderPool
from bot.packs import PackContext
from bot.resources import TEMPLATES_DIR
from bot.texts import build_environment
from storage.files import write_private

PACK_TEMPLATE = "packs/briefing.html.j2"
LABELS_TEMPLATE = "packs/_labels.j2"
PDF_VARIANT = "pdf/ua-1"
FONTS_DIR = TEMPLATES_DIR / "packs" / "fonts"
FONT_URL = re.compile(r"url\(fonts/([A-Za-z]+\.ttf)\)")


@dataclass(frozen=True)
class RenderedPack:
    """A pack's HTML master and its PDF."""

    html: str
    pdf: bytes


@functools.cache
def _font_uri(name: str) -> str:
    data = (FONTS_DIR / name).read_bytes()
    return "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")


def self_contained(html: str) -> str:
    """The HTML with its fonts embedded as data URIs, so the file travels alone (the PDF
    reads them from the folder, which WeasyPrint parses faster)."""
    return FONT_URL.sub(lambda found: f"url({_font_uri(found.group(1))})", html)


def pack_labels(env: Environment, ctx: PackContext) -> Any:
    """The label macros (yes/no, scale points) in the pack's language."""
    return env.get_template(LABELS_TEMPLATE).make_module({"lang": ctx.lang})


def _page(ctx: PackContext, env: Environment, *, with_charts: bool) -> str:
    """The pack's HTML with each chart referenced by its ``chart:`` address."""
    keys = [q.key for q in chart_questions(ctx)] if with_charts else []
    return env.get_template(PACK_TEMPLATE).render(
        pack=ctx, charts={key: address(key) for key in keys}
    )


def render_html(
    ctx: PackContext, env: Environment | None = None, *, with_charts: bool = True
) -> str:
    """The pack's HTML master (charts inline as data URIs)."""
    env = env or build_environment()
    html = self_contained(_page(ctx, env, with_charts=with_charts))
    if not with_charts:
        return html
    with ChartSource(ctx, pack_labels(env, ctx), parallel=False) as charts:
        return charts.inline(html)


def render_pdf(html: str, charts: ChartSource | None = None) -> bytes:
    """The PDF of a document's HTML (print CSS: A4, page numbers, table of contents).

    ``charts`` resolves ``chart:`` addresses while the pages are laid out.
    """
    import logging
    import warnings

    with warnings.catch_warnings():
        # Raised on import where the system lacks the optional libharfbuzz-subset.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        from weasyprint import HTML

    # WeasyPrint logs every CSS property it does not know (those meant for screens).
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = _chart_fetcher(charts) if charts is not None else None
    document = HTML(string=html, base_url=str(TEMPLATES_DIR / "packs"), url_fetcher=fetcher)
    # Whole fonts instead of subsets: a slightly larger file, about a second faster.
    # PDF/UA-1: tagged (structure tree, alt texts, headings as bookmarks), title and language
    # from the HTML - a public body's download (BITV 2.0, EN 301 549).
    pdf = document.write_pdf(full_fonts=True, pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return bytes(pdf)


def _chart_fetcher(charts: ChartSource) -> Any:
    """A WeasyPrint URL fetcher that answers ``chart:`` addresses from ``charts``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ChartFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(address("")):
                png = charts.png(url.removeprefix(address("")))
                return URLFetcherResponse(url, png, {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return ChartFetcher()


def render_pack(ctx: PackContext) -> RenderedPack:
    """HTML and PDF of a pack; the work a worker process does."""
    env = build_environment()
    # Forks the chart process first, so it draws while the template and the PDF are made.
    with ChartSource(ctx, pack_labels(env, ctx)) as charts:
        html = _page(ctx, env, with_charts=True)
        pdf = render_pdf(html, charts)
        return RenderedPack(self_contained(charts.inline(html)), pdf)


async def render_in_worker(
    pool: RenderPool, ctx: PackContext, limit: float = RENDER_TIMEOUT, queued: Queued | None = None
) -> RenderedPack:
    """render_pack in the render pool; RenderTimeout (worker stopped) after `limit` s."""
    return await pool.run(render_pack, ctx, limit, f"pack {ctx.workshop_id}", queued=queued)


def write_pack(rendered: RenderedPack, out_dir: Path, workshop_id: str) -> tuple[Path, Path]:
    """Write <id>.html and <id>.pdf into out_dir; return their paths."""
    html_path = write_private(out_dir / f"{workshop_id}.html", rendered.html)
    pdf_path = write_private(out_dir / f"{workshop_id}.pdf", rendered.pdf)
    return html_path, pdf_path
