"""One way to make a document: (kind, context) -> HTML and PDF, in the render pool.

A document kind (``bot.documents.kinds``) declares its template, the typed context it renders,
what the template sees of that context, its charts and its file name. ``render_document`` is a
plain function of (kind, context), so the command line calls it directly and the bot runs it in
a warm worker process with a time limit (``render_in_worker``, ``bot.documents.worker``): the
event loop only waits, other people's buttons keep answering. Where a document has charts, a
second process draws them while WeasyPrint lays out the text (``ChartSource``), so a pack uses
both cores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from jinja2 import Environment

from bot.documents.charts import Charts, ChartSource, address
from bot.documents.pdf import render_pdf, self_contained
from bot.documents.worker import RENDER_TIMEOUT, Queued, RenderPool
from bot.texts import build_environment
from storage.files import write_private

C = TypeVar("C")


def no_charts(ctx: Any, env: Environment) -> Charts:
    """The charts of a document without any."""
    return {}


@dataclass(frozen=True)
class DocumentKind(Generic[C]):
    """What makes one kind of document. Its functions are module-level (the kind travels to the
    worker process by pickle) and make no words: every word is in the template."""

    name: str  # for logs and errors: "pack", "plan" ...
    template: str  # under templates/, e.g. "packs/briefing.html.j2"
    context: type[C]  # the frozen, picklable dataclass it renders
    variables: Callable[[C], Mapping[str, Any]]  # what the template sees, by name
    stem: Callable[[C], str]  # the file names: <stem>.html and <stem>.pdf
    charts: Callable[[C, Environment], Charts] = no_charts  # named chart:<key> in the template

    def check(self, ctx: object) -> C:
        """The context, if it is the one this kind renders (TypeError otherwise)."""
        if not isinstance(ctx, self.context):
            raise TypeError(f"a {self.name} renders {self.context.__name__}, not {type(ctx)}")
        return ctx


@dataclass(frozen=True)
class Rendered:
    """A document's HTML master (complete in one file) and its PDF."""

    html: str
    pdf: bytes


def _page(kind: DocumentKind[C], ctx: C, env: Environment, charts: Charts) -> str:
    """The document's HTML, each chart referenced by its ``chart:`` address."""
    return env.get_template(kind.template).render(
        **kind.variables(ctx), charts={key: address(key) for key in charts}
    )


def render_html(
    kind: DocumentKind[C], ctx: C, env: Environment | None = None, *, with_charts: bool = True
) -> str:
    """The document's HTML master: fonts and charts inline, one file that travels alone."""
    env = env or build_environment()
    charts = kind.charts(kind.check(ctx), env) if with_charts else {}
    with ChartSource(charts, parallel=False) as drawn:
        return self_contained(drawn.inline(_page(kind, ctx, env, charts)))


def render_document(kind: DocumentKind[C], ctx: C) -> Rendered:
    """HTML and PDF of a document; the work a worker process does."""
    env = build_environment()
    charts = kind.charts(kind.check(ctx), env)
    # Forks the chart process first, so it draws while the template and the PDF are made.
    with ChartSource(charts) as drawn:
        html = _page(kind, ctx, env, charts)
        pdf = render_pdf(html, drawn)
        return Rendered(self_contained(drawn.inline(html)), pdf)


def _job(job: tuple[DocumentKind[Any], Any]) -> Rendered:
    """render_document of a (kind, context) pair, as the worker receives it."""
    return render_document(*job)


async def render_in_worker(
    pool: RenderPool,
    kind: DocumentKind[C],
    ctx: C,
    *,
    limit: float = RENDER_TIMEOUT,
    queued: Queued | None = None,
) -> Rendered:
    """render_document in the render pool once a worker is free (``queued`` is told the place
    while it waits); RenderTimeout (worker stopped) after `limit` s, RenderFailed."""
    what = f"{kind.name} {kind.stem(kind.check(ctx))}"
    return await pool.run(_job, (kind, ctx), limit, what, queued=queued)


def write_document(rendered: Rendered, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write <stem>.html and <stem>.pdf into out_dir (readable by the owner only); their paths."""
    html_path = write_private(out_dir / f"{stem}.html", rendered.html)
    pdf_path = write_private(out_dir / f"{stem}.pdf", rendered.pdf)
    return html_path, pdf_path
