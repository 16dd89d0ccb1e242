"""The PDFs on paper, read back: nothing beyond the margin, pages filled, tagged for readers.

Each sample document (``tests.documents``: every chapter filled, four-digit figures, long
names) is rendered as the bot renders it; pdfplumber reads where each glyph landed.
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from bot.documents.charts import FONT_PT, WIDTH_IN
from bot.documents.kinds import PACK
from bot.documents.pipeline import render_document
from bot.draft_summary import ReviewComment
from bot.texts import format_number
from tests.documents import DOCUMENTS, rendered, sample_pack
from tests.paper import A4_WIDTH, Page, pages, pdf_dict, right_edge, smallest_type_between

# A page may be less than half full only where the next part starts on a fresh page by design
# (a chapter of the pack, the contents, the worksheet, the appendix) or at the document's end.
MIN_FILL = 0.5
FRESH = re.compile(r"^(\d+a? [A-ZÄÖÜ]|Inhalt$|Arbeitsblatt |Anhang: )")
HEADING = re.compile(r"<h([2-5])[^>]*>(.*?)</h\1>", re.S)


def _headings(document_html: str) -> list[str]:
    """The sub-headings of a document as plain text (h2 to h5)."""
    found = []
    for _, inner in HEADING.findall(document_html):
        found.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split()))
    return found


@functools.cache
def _pages(name: str) -> list[Page]:
    return pages(rendered(name).pdf)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_glyph_stands_beyond_the_right_margin(name: str) -> None:
    for page in _pages(name):
        assert page.beyond_margin == (), f"{name} p. {page.number}: {page.beyond_margin[:20]}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pages_are_filled_except_before_a_fresh_start(name: str) -> None:
    found = _pages(name)
    for page, following in itertools.pairwise(found):
        if page.fill < MIN_FILL:
            assert FRESH.match(following.first), (
                f"{name} p. {page.number} is {page.fill:.0%} full, and p. {following.number} "
                f"starts with {following.first!r}"
            )


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_heading_stands_alone_at_a_page_foot(name: str) -> None:
    headings = _headings(rendered(name).html)
    for page in _pages(name)[:-1]:
        alone = page.ink_below_last_line < 12  # points: nothing of what follows is on the page
        assert not (alone and any(h.endswith(page.last) for h in headings)), (
            f"{name} p. {page.number} ends with the heading {page.last!r}"
        )


def test_every_figure_of_the_training_and_draft_tables_is_on_the_paper() -> None:
    pack = sample_pack()
    assert pack.training is not None and pack.draft is not None
    edge = right_edge(A4_WIDTH)
    printed = {text for page in _pages("pack") for text, x1 in page.words if x1 <= edge + 0.5}

    def shown(value: float) -> bool:
        return format_number(value) in printed

    for line in pack.training.lines:
        for value in (line.seeking, line.offered, line.seeking_internship, line.internships):
            assert shown(value), f"{line.label}: {value} missing"
        gap = format_number(line.gap)
        assert (gap if line.gap <= 0 else "+" + gap) in printed, f"{line.label}: gap {gap}"
    for measure in pack.draft.measures:
        for mean in (measure.desirable, measure.necessary, measure.feasible, measure.spread):
            assert mean is not None and shown(round(mean, 1)), f"{measure.title}: {mean}"
        assert shown(measure.raters)


def test_chart_labels_print_at_ten_points_or_more() -> None:
    widths = [width for page in _pages("pack") for width in page.image_widths]
    assert widths
    for printed_width in widths:
        assert FONT_PT * printed_width / (WIDTH_IN * 72) >= 9.95


@pytest.mark.parametrize(
    ("name", "after"), [("plan", "Termine der Meilensteine"), ("progress", "Stand der Maßnahmen")]
)
def test_timeline_names_axis_and_legend_print_at_ten_points_or_more(name: str, after: str) -> None:
    """The timeline is a chart: its legend, years and measure names print as large as any."""
    smallest = smallest_type_between(rendered(name).pdf, "Zeitkorridor (erster", after)
    assert smallest >= 9.95, f"{name}: timeline type {smallest:.1f} pt"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_pdf_is_tagged_with_title_language_bookmarks_and_alt_texts(name: str) -> None:
    reader = PdfReader(io.BytesIO(rendered(name).pdf))
    root = pdf_dict(reader.trailer["/Root"])
    assert bool(pdf_dict(root["/MarkInfo"])["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "de"
    assert bool(pdf_dict(root["/ViewerPreferences"])["/DisplayDocTitle"])
    assert reader.metadata is not None and reader.metadata.title
    assert reader.outline  # headings as bookmarks
    xmp = reader.xmp_metadata
    assert xmp is not None and b"pdfuaid" in xmp.stream.get_data()
    figures = _structure(root["/StructTreeRoot"], "/Figure")
    if name == "pack":
        assert figures and all(str(f.get("/Alt", "")).startswith("Balkendiagramm") for f in figures)


def _structure(node: object, kind: str) -> list[dict[str, object]]:
    """Every element of the structure tree of this kind."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("/S") == kind else []
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids]:
        found += _structure(kid, kind)
    return found


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_internal_ids_or_bot_commands_are_printed(name: str) -> None:
    text = "\n".join(line for page in _pages(name) for line in page.lines)
    assert "Kennung" not in text and "v-termine" not in text
    assert not re.search(r"(^|\s)/[a-z]+", text), f"{name}: a bot command is printed"


def test_identical_draft_comments_print_once_with_how_often_and_by_whom() -> None:
    pack = sample_pack()
    assert pack.draft is not None
    said = (
        ("Die Kosten müssen niedrig bleiben.", "Bäckerei Timm"),
        ("die Kosten  müssen niedrig bleiben.", "eine Schule"),
        ("Die Kosten müssen niedrig bleiben.", "Bäckerei Timm"),
        ("Bitte auch samstags.", "Optik Saß"),
    )
    comments = tuple(
        ReviewComment(text, source, n, "firm", "2027-05-01")
        for n, (text, source) in enumerate(said)
    )
    first = replace(pack.draft.measures[0], comments=comments)
    draft = replace(pack.draft, measures=(first, *pack.draft.measures[1:]))
    text = "\n".join(
        line
        for page in pages(render_document(PACK, replace(pack, draft=draft)).pdf)
        for line in page.lines
    )
    assert text.casefold().count("kosten müssen niedrig") == 1
    assert "3-mal – Bäckerei Timm, eine Schule" in text
    assert "Bitte auch samstags." in text and "4 Kommentare zu" in text
