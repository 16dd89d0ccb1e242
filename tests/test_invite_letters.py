"""`agenda-bot invite letters`: one A4 letter per invited organisation, with the town's letterhead,
the dates, the privacy contact, and the personal link in writing and as a QR code that encodes
exactly that link."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
import segno
from pypdf import PdfReader

from bot.cli import main
from bot.consultation.model import Consultation
from bot.documents.kinds import LETTERS
from bot.documents.letters import build_letters
from bot.documents.pipeline import render_html
from storage.organisations import Organisation
from tests.test_invite_import import links
from tests.test_invite_import import workdir as workdir  # the autouse fixture: AGENDA_DB here

BOT = ["--bot", "hagenow_agenda_bot"]
ORGS = (
    "Name;Gruppe;Kontakt\r\n"
    '"Café ""Zur Börse""";Tourismus;wirt@example.org\r\n'
    "Hotel <Stadt> & Söhne;Gastgewerbe;\r\n"
    "Europaschule Hagenow;Schule;\r\n"
)


def imported(workdir: Path) -> dict[str, str]:
    (workdir / "orgs.csv").write_bytes(ORGS.encode("utf-8-sig"))
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    return links(workdir / "orgs-links.csv")


def qr_matches(png: object, link: str) -> bool:
    """Whether the image shows segno's code for the link, module by module."""
    from PIL import Image

    assert isinstance(png, Image.Image)
    grey = png.convert("L")
    matrix = segno.make(link, error="m", boost_error=False).matrix
    size = len(matrix) + 8  # four modules of quiet zone on each side
    step = grey.width / size
    assert abs(grey.height / size - step) < 1e-6
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            x, y = int((c + 4.5) * step), int((r + 4.5) * step)
            if (grey.getpixel((x, y)) < 128) != bool(dark):  # type: ignore[operator]
                return False
    return True


def test_one_letter_per_organisation_with_its_link_and_code(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported_links = imported(workdir)
    capsys.readouterr()
    assert main(["invite", "letters", "--out", "briefe.pdf", *BOT]) == 0
    out, err = capsys.readouterr()
    assert f"Datenbank (database): {workdir / 'agenda.sqlite3'}" in err
    assert "3 Briefe (letters): briefe.pdf" in out

    pdf = (workdir / "briefe.pdf").read_bytes()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        # Words as they stand, whatever the line breaks.
        pages = [
            (" ".join((page.extract_text() or "").split()), len(page.images))
            for page in document.pages
        ]
        drawn = [page.images[0]["name"] for page in document.pages]
    assert len(pages) == 3
    for (name, link), (text, images) in zip(imported_links.items(), pages, strict=True):
        assert name in text and link in text
        assert images == 1
        others = [n for n in imported_links if n != name]
        assert not any(o in text for o in others)  # each page is one organisation's
        # The letterhead from the consultation file, the dates, the privacy contact.
        assert "Stadt Hagenow" in text and "Wirtschaftsförderung" in text
        assert "20.01.2027" in text and "Auftaktveranstaltung" in text
        assert "17.03.2027" in text and "18:30–21:30" in text
        assert "datenschutz@hagenow.de" in text
        assert "Einladung: Digitale Agenda Hagenow" in text
    assert "in der Gruppe „Tourismus und Gastgewerbe“" in pages[0][0]

    # The code drawn on each page is the code of that page's link.
    reader = PdfReader(io.BytesIO(pdf))
    for (_, link), page, name in zip(imported_links.items(), reader.pages, drawn, strict=True):
        codes = {image.name.rsplit(".", 1)[0]: image.image for image in page.images}
        assert qr_matches(codes[name], link), link
    others = list(imported_links.values())
    assert not qr_matches(codes[drawn[-1]], others[0])  # the comparison can fail


def test_letters_for_the_organisations_of_a_file_only(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(workdir)
    (workdir / "neu.csv").write_text("name;group\nEuropaschule Hagenow;school\n", encoding="utf-8")
    assert main(["invite", "letters", "neu.csv", "--out", "neu.pdf", *BOT]) == 0
    with pdfplumber.open(workdir / "neu.pdf") as document:
        assert len(document.pages) == 1
        assert "Europaschule Hagenow" in (document.pages[0].extract_text() or "")

    (workdir / "fremd.csv").write_text(
        "name;group\nEuropaschule Hagenow;school\nAutohaus Schulz;firm\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["invite", "letters", "fremd.csv", "--out", "fremd.pdf", *BOT]) == 1
    err = capsys.readouterr().err
    assert "fremd.csv:3: 'Autohaus Schulz' ist nicht eingeladen" in err
    assert "agenda-bot invite import" in err
    assert not (workdir / "fremd.pdf").exists()


def test_letters_refuse_a_missing_database(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "letters", "--out", "briefe.pdf", *BOT]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (workdir / "agenda.sqlite3").exists()
    assert not (workdir / "briefe.pdf").exists()


def test_without_a_letterhead_the_controller_signs(consultation: Consultation) -> None:
    plain = consultation.model_copy(update={"letterhead": None})
    org = Organisation(1, "Blumen Müller", "retail", None, "tok_blumen000001", False)
    ctx = build_letters(plain, [org], "hagenow_agenda_bot", date(2026, 12, 2))
    assert ctx.letterhead == [
        "Stadt Hagenow",
        "Der Bürgermeister",
        "Lange Straße 28-32",
        "19230 Hagenow",
    ]
    assert ctx.signature == ["Stadt Hagenow"] and ctx.dated == "Hagenow, 2. Dezember 2026"
    html = render_html(LETTERS, ctx)
    assert "https://t.me/hagenow_agenda_bot?start=tok_blumen000001" in html
    assert "in der Gruppe „Einzelhandel“" in html
