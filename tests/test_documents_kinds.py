"""Every document kind in bot/documents/kinds.py renders, through the one pipeline, to HTML and
PDF that carry its title (docs/architecture.md, "A document"): a kind left out of KINDS, one
without a template or a sample here, or one whose context cannot travel to the render worker
fails here."""

from __future__ import annotations

import dataclasses
import io
import pickle
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from bot.consultation.model import load_consultation
from bot.documents import kinds
from bot.documents.letters import LettersContext, build_letters
from bot.documents.pipeline import DocumentKind, render_document, render_html
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT
from storage.organisations import Organisation
from tests.documents import sample_pack, sample_plan, sample_progress


def sample_letters() -> LettersContext:
    organisations = [
        Organisation(1, "Blumen Müller", "retail", None, "tok_blumen000001", False),
        Organisation(2, "Europaschule Hagenow", "school", None, "tok_schule000002", False),
    ]
    consultation = load_consultation(DEFAULT_CONSULTATION)
    return build_letters(consultation, organisations, "hagenow_agenda_bot", date(2026, 12, 2))


# A context for each kind, by the kind's name: a new kind needs one here.
SAMPLES: dict[str, Callable[[], Any]] = {
    kinds.PACK.name: sample_pack,
    kinds.PLAN.name: sample_plan,
    kinds.PROGRESS.name: sample_progress,
    kinds.LETTERS.name: sample_letters,
}


def declared() -> list[DocumentKind[Any]]:
    """Every DocumentKind that bot/documents/kinds.py defines."""
    return [kind for kind in vars(kinds).values() if isinstance(kind, DocumentKind)]


def test_every_declared_kind_is_listed_and_has_a_sample() -> None:
    assert set(declared()) == set(kinds.KINDS)
    assert {kind.name for kind in kinds.KINDS} == set(SAMPLES)


def test_only_the_pipeline_lays_out_a_pdf() -> None:
    callers = [
        path.relative_to(PROJECT_ROOT)
        for folder in ("bot", "handlers")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "render_pdf" in path.read_text("utf-8") and path.parent.name != "documents"
    ]
    assert not callers


@pytest.mark.slow  # a pack with its charts: about five seconds
@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda kind: kind.name)
def test_a_kind_renders_html_and_pdf_with_its_title(kind: DocumentKind[Any]) -> None:
    ctx = SAMPLES[kind.name]()
    title: str = ctx.title
    assert dataclasses.is_dataclass(ctx) and isinstance(ctx, kind.context)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ctx, dataclasses.fields(ctx)[0].name, None)
    assert pickle.loads(pickle.dumps((kind, ctx))) == (kind, ctx)  # it travels to the worker
    assert title and kind.stem(ctx)

    rendered = render_document(kind, ctx)
    assert re.search(r'<html lang="[a-z]{2}"', rendered.html)
    found = re.search(r"<title>(.*?)</title>", rendered.html, re.S)
    assert found and title in found.group(1)
    assert title in render_html(kind, ctx, with_charts=False)

    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert reader.metadata is not None and title in (reader.metadata.title or "")
    first_page = " ".join((reader.pages[0].extract_text() or "").split())
    assert " ".join(title.split()) in first_page
