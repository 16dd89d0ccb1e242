"""A document's HTML as PDF (WeasyPrint, PDF/UA-1), and as one file that travels alone.

The PDF reads the bundled fonts from ``templates/packs/fonts`` and asks a ``ChartSource`` for
each ``chart:`` address while it lays out the pages; the HTML file gets the fonts embedded as
data URIs (``self_contained``).
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

from bot.documents.charts import ChartSource, address
from bot.resources import TEMPLATES_DIR

PDF_VARIANT = "pdf/ua-1"
FONTS_DIR = TEMPLATES_DIR / "packs" / "fonts"
FONT_URL = re.compile(r"url\(fonts/([A-Za-z]+\.ttf)\)")


@functools.cache
def _font_uri(name: str) -> str:
    data = (FONTS_DIR / name).read_bytes()
    return "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")


def self_contained(html: str) -> str:
    """The HTML with its fonts embedded as data URIs, so the file travels alone (the PDF
    reads them from the folder, which WeasyPrint parses faster)."""
    return FONT_URL.sub(lambda found: f"url({_font_uri(found.group(1))})", html)


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
