"""Reading a PDF back as a reader sees each A4 page: where the ink is, what is past the margin.

Positions come from pdfplumber (every glyph with its box, every image, rule and rectangle).
The printable area is the page less the margins of ``templates/packs/_style.css.j2``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
from pypdf.generic import DictionaryObject, PdfObject

MM = 72 / 25.4
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 18 * MM, 16 * MM, 20 * MM, 18 * MM
A4_WIDTH = 210 * MM
SLACK = 0.5  # points: rounding in the layout


@dataclass(frozen=True)
class Page:
    """One page as read back: its lines of text (top to bottom), how full it is, and every
    glyph that stands right of the printable area."""

    number: int
    lines: tuple[str, ...]
    fill: float  # share of the printable height down to the lowest ink
    beyond_margin: tuple[str, ...]
    ink_below_last_line: float  # points of rules, boxes or pictures below the last text line
    words: tuple[tuple[str, float], ...]  # every word and its right edge (points from the left)
    image_widths: tuple[float, ...]  # how wide each picture is printed (points)

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""

    @property
    def last(self) -> str:
        return self.lines[-1] if self.lines else ""


def pdf_dict(entry: PdfObject) -> DictionaryObject:
    """A dictionary inside a PDF read by pypdf, which types every entry as a plain PdfObject."""
    assert isinstance(entry, DictionaryObject), f"not a PDF dictionary: {entry!r}"
    return entry


def pages(pdf: bytes) -> list[Page]:
    """Every page of a PDF, body only (the footer in the bottom margin is left out)."""
    result = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            top, bottom = MARGIN_TOP, float(page.height) - MARGIN_BOTTOM
            right = float(page.width) - MARGIN_RIGHT
            body = page.crop((0, 0, float(page.width), bottom + SLACK), strict=False)
            objects = [*body.chars, *body.images, *body.rects, *body.lines, *body.curves]
            lowest = max((float(o["bottom"]) for o in objects), default=top)
            text_bottom = max((float(c["bottom"]) for c in body.chars), default=top)
            text = body.extract_text() or ""
            result.append(
                Page(
                    number,
                    tuple(line.strip() for line in text.splitlines() if line.strip()),
                    max(0.0, (lowest - top) / (bottom - top)),
                    tuple(c["text"] for c in page.chars if float(c["x1"]) > right + SLACK),
                    lowest - text_bottom,
                    tuple((w["text"], float(w["x1"])) for w in page.extract_words()),
                    tuple(float(i["x1"]) - float(i["x0"]) for i in page.images),
                )
            )
    return result


def right_edge(width: float) -> float:
    """Where the printable area ends on a page this wide (points)."""
    return width - MARGIN_RIGHT


def smallest_type_between(pdf: bytes, first: str, last: str) -> float:
    """The smallest type (points) of the lines from the one starting with ``first`` up to the
    one starting with ``last`` (not included), read across pages in order."""
    sizes: list[float] = []
    inside = False
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for line in page.extract_text_lines(return_chars=True):
                text = line["text"].strip()
                if text.startswith(first):
                    inside = True
                elif text.startswith(last) and inside:
                    return min(sizes)
                if inside:
                    sizes += [float(c["size"]) for c in line["chars"] if c["text"].strip()]
    raise AssertionError(f"no lines from {first!r} to {last!r}")
