"""A document's bar charts (matplotlib, Agg, PNG), drawn beside the PDF layout.

A document kind names its charts (``DocumentKind.charts``: a key and its bars each); the
template refers to each as ``chart:<key>``. For the PDF,
WeasyPrint asks ``ChartSource`` for those addresses while it lays out the pages; for the HTML
file, ``inline`` replaces them with data URIs. Where the process may fork (one thread, a POSIX
system: the render worker), a child process draws the charts, first to last, while the parent
parses the HTML; when the parent needs a chart the child has not sent yet, it draws from the
last one backwards, so both cores work. Otherwise, or if the child fails, the charts are drawn
in the calling process; the result is the same.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gc
import io
import logging
import os
import signal
import textwrap
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe

log = logging.getLogger(__name__)

SCHEME = "chart:"
BAR_COLOUR = "#2f6690"
# Drawn at the width it is printed (the CSS gives .figure img 96 mm), so its labels print at
# FONT_PT; on a phone (at least 330 CSS px wide) they show at 12 CSS px or more.
WIDTH_MM = 96
WIDTH_IN = WIDTH_MM / 25.4
CHART_DPI = 150
FONT_PT = 10
LINE_CHARS = 22  # a label wraps onto a second line past this many characters
LABEL_CHARS = 2 * LINE_CHARS  # and is cut (…) past two lines


@dataclass(frozen=True)
class Bars:
    """One horizontal bar chart: a label and a count per bar (the counts stand in a table too)."""

    names: tuple[str, ...]
    counts: tuple[int, ...]


Charts = Mapping[str, Bars]  # a document's charts by key, in document order


def address(key: str) -> str:
    """How a document's HTML refers to one of its charts."""
    return SCHEME + key


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to fit beside a bar."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap_label(text: str) -> str:
    """A label on at most two lines of about LINE_CHARS, cut (…) after that."""
    lines = textwrap.wrap(text, LINE_CHARS, break_long_words=True) or [""]
    if len(lines) > 2:
        lines = [lines[0], shorten(" ".join(lines[1:]), LINE_CHARS)]
    return "\n".join(lines)


def bar_chart(names: list[str], counts: list[int]) -> bytes:
    """A horizontal bar chart, as PNG bytes; its counts stand in the table beside it.

    The axes are placed by measuring the longest label (no tight_layout, which draws the
    figure twice), and no pyplot: a plain Figure on an Agg canvas.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [wrap_label(name) for name in names]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    height = (0.12 + 0.17 * lines) * len(labels) + 0.25
    fig = Figure(figsize=(WIDTH_IN, height))
    FigureCanvasAgg(fig)
    left = min(0.55, (_label_width(labels) + 10) / (WIDTH_IN * 72))
    margin = 0.08 / height  # inches of room above and below, as a share of the height
    ax = fig.add_axes((left, margin, 0.97 - left, 1 - 2 * margin))
    ax.set_axis_off()  # labels and the baseline are drawn directly: ticks cost a third
    ax.barh(range(len(labels)), counts, color=BAR_COLOUR)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*counts, 1]) * 1.02)  # the counts stand in the table beside the chart
    ax.set_ylim(len(labels) - 0.5, -0.5)
    names_at = ax.get_yaxis_transform()  # x in axes units, y in data units
    for row, label in enumerate(labels):
        ax.text(-0.015, row, label, transform=names_at, ha="right", va="center", fontsize=FONT_PT)
    ax.axvline(0, color="#1d2833", linewidth=0.8)
    buffer = io.BytesIO()
    # Fast compression: the PDF re-encodes the image anyway, the HTML grows by a few kB.
    fig.savefig(buffer, format="png", dpi=CHART_DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _label_width(labels: list[str]) -> float:
    """The widest label in points: the sum of its glyphs' advances in matplotlib's font."""
    return max(
        (sum(_advance(char) for char in line) for label in labels for line in label.split("\n")),
        default=0.0,
    )


@functools.cache
def _advance(char: str) -> float:
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties(size=FONT_PT)))
    font.set_size(FONT_PT, 72)
    return float(font.load_char(ord(char)).linearHoriAdvance) / 65536


def draw(bars: Bars) -> bytes:
    """One chart as PNG."""
    return bar_chart(list(bars.names), list(bars.counts))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.cache
def warm_up() -> None:
    """Load matplotlib, its font and its text layout once per process, by drawing a small chart.

    A forked chart process inherits all of it; without this, each one pays about half a second
    before its first chart.
    """
    bar_chart(["Hagenow", "Digitale Agenda"], [1, 2])


def _may_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


class ChartSource:
    """A document's charts by key, drawn in a child process where possible, else on demand."""

    def __init__(self, charts: Charts, *, parallel: bool = True) -> None:
        self._charts = dict(charts)
        self._png: dict[str, bytes] = {}
        self._conn: Connection | None = None
        self._child = 0
        if parallel and self._charts and _may_fork():
            warm_up()
            self._fork()

    def _fork(self) -> None:
        ours, theirs = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the child: draw every chart, send each as soon as it is done
            # No garbage collection here: it would walk, and so copy, the whole inherited heap.
            gc.disable()
            code = 0
            try:
                ours.close()
                for key, bars in self._charts.items():
                    theirs.send((key, draw(bars)))
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self._conn, self._child = ours, pid

    def png(self, key: str) -> bytes:
        """The chart with this key (KeyError for a key the document has no chart for).

        While the child has not sent it, this process draws charts too, from the last one
        backwards, so the two meet in the middle instead of one waiting for the other.
        """
        bars = self._charts[key]
        while key not in self._png and self._conn is not None:
            if self._conn.poll(0):
                self._receive()
            else:
                self._draw_from_the_end()
        if key not in self._png:
            self._png[key] = draw(bars)
        return self._png[key]

    def _draw_from_the_end(self) -> None:
        """Draw the last chart not here yet, in this process."""
        key = next(k for k in reversed(self._charts) if k not in self._png)
        self._png[key] = draw(self._charts[key])

    def _receive(self) -> None:
        assert self._conn is not None
        try:
            done, png = self._conn.recv()
        except (EOFError, OSError):
            log.warning("chart process ended early; drawing the rest here")
            self._reap()
            return
        self._png.setdefault(done, png)

    def all(self) -> dict[str, bytes]:
        return {key: self.png(key) for key in self._charts}

    def inline(self, html: str) -> str:
        """The HTML with every chart address replaced by its PNG as a data URI."""
        for key in self._charts:
            html = html.replace(f'src="{address(key)}"', f'src="{data_uri(self.png(key))}"')
        return html

    def _reap(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._child:
            os.waitpid(self._child, 0)
            self._child = 0

    def close(self) -> None:
        """End the child: its charts are all here, or no longer wanted."""
        if self._child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._child, signal.SIGKILL)
        self._reap()

    def __enter__(self) -> ChartSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
