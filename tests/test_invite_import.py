"""`agenda-bot invite import` with files as a town's Excel writes them: titles for groups, bad rows
with their lines, --partial, duplicates, re-import, quotes, BOM, CRLF, ; or , and Windows-1252."""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main

BOT = ["--bot", "hagenow_agenda_bot"]


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "AGENDA_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))
    return tmp_path


def links(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["name"]: row["link"] for row in csv.DictReader(handle, delimiter=";")}


def stored(workdir: Path) -> list[tuple[str, str, str | None, str]]:
    db = workdir / "agenda.sqlite3"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT name, group_id, contact, invite_token FROM organisations ORDER BY id"
        ).fetchall()


def test_excel_quotes_bom_crlf_and_semicolons(workdir: Path) -> None:
    # Byte for byte what German Excel saves as "CSV UTF-8 (durch Trennzeichen getrennt)".
    data = (
        b"\xef\xbb\xbfName;Gruppe;Kontakt\r\n"
        b'"Caf\xc3\xa9 ""Zur B\xc3\xb6rse""";Tourismus und Gastgewerbe;wirt@example.org\r\n'
        b'"M\xc3\xbcller; Meyer & Co.";Einzelhandel;\r\n'
        b'"Schule am\r\nPark";schule;\r\n'
    )
    (workdir / "orgs.csv").write_bytes(data)
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    names = [(name, group, contact) for name, group, contact, _ in stored(workdir)]
    assert names == [
        ('Café "Zur Börse"', "tourism", "wirt@example.org"),
        ("Müller; Meyer & Co.", "retail", None),
        ("Schule am Park", "school", None),  # a line break in the cell
    ]
    assert next(iter(links(workdir / "orgs-links.csv"))) == 'Café "Zur Börse"'


def test_windows_1252_with_commas_and_english_titles(workdir: Path) -> None:
    # "CSV (Trennzeichen-getrennt)" from an English Excel: Windows-1252, commas.
    data = (
        b"name,group,contact\r\n"
        b'"Caf\xe9 ""Zur B\xf6rse""",TOURISM AND HOSPITALITY,\r\n'
        b'"B\xe4ckerei Gr\xf6\xdfe, Hagenow",business / trade,info@example.org\r\n'
        b"Heimatverein,association,\r\n"
    )
    (workdir / "orgs.csv").write_bytes(data)
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    assert [(n, g) for n, g, _, _ in stored(workdir)] == [
        ('Café "Zur Börse"', "tourism"),
        ("Bäckerei Größe, Hagenow", "firm"),
        ("Heimatverein", "association"),
    ]


def test_bad_rows_named_with_their_lines_and_nothing_imported(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_bytes(
        "Name;Gruppe;Kontakt\r\n"
        "Blumen Müller;Einzelhandel;\r\n"
        ";Schule;\r\n"
        "Café Zentral;Gastro;\r\n"
        "Autohaus Schulz;Firma;\r\n"
        "Europaschule;Schule;\r\n".encode()
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "orgs.csv:3: Name fehlt (name is empty)"
    assert err[1].startswith("orgs.csv:4: unbekannte Gruppe (unknown group) 'Gastro'")
    assert err[2].startswith("orgs.csv:5: unbekannte Gruppe (unknown group) 'Firma'")
    assert "meinten Sie (did you mean) 'firm'?" in err[2]
    assert "school (Schule)" in err[1]  # the allowed groups, with their titles
    assert err[3].startswith("agenda-bot: 3 fehlerhafte Zeile(n), nichts importiert")
    assert "--partial" in err[3] and "2 guten" in err[3]
    assert len(err) == 4
    assert stored(workdir) == []
    assert not (workdir / "orgs-links.csv").exists()

    # With --partial the two good rows are imported; the bad ones are reported again.
    assert main(["invite", "import", "orgs.csv", "--partial", *BOT]) == 0
    captured = capsys.readouterr()
    assert [n for n, *_ in stored(workdir)] == ["Blumen Müller", "Europaschule"]
    assert "orgs.csv:4: unbekannte Gruppe" in captured.err
    assert "3 Zeile(n) übersprungen (rows skipped)" in captured.out
    assert list(links(workdir / "orgs-links.csv")) == ["Blumen Müller", "Europaschule"]


def test_a_delimiter_inside_an_unquoted_name(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(
        "name,group\nBäckerei Größe, Hagenow,firm\nHeimatverein,association\n", encoding="utf-8"
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 1
    err = capsys.readouterr().err
    assert "orgs.csv:2: 3 Felder statt 2" in err and "Anführungszeichen" in err


def test_duplicates_reported_once_and_imported_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(
        "name;group;contact\n"
        "Blumen Müller;retail;\n"
        "Heimatverein;association;\n"
        "blumen  MÜLLER;Einzelhandel;laden@example.org\n",
        encoding="utf-8",
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("doppelt") == 1
    assert "orgs.csv:4: 'blumen MÜLLER' doppelt, wie Zeile 2" in captured.err
    assert "2 Organisationen (organisations): 2 neu" in captured.out
    assert captured.out.count("Blumen Müller") == 1
    assert [(n, c) for n, _, c, _ in stored(workdir)] == [
        ("Blumen Müller", "laden@example.org"),  # the contact of the second row is kept
        ("Heimatverein", None),
    ]


def test_a_duplicate_with_another_group_is_a_bad_row(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(
        "name;group\nBlumen Müller;retail\nBlumen Müller;firm\n", encoding="utf-8"
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 1
    err = capsys.readouterr().err
    assert "orgs.csv:3: 'Blumen Müller' steht schon in Zeile 2, dort mit Gruppe retail" in err
    assert stored(workdir) == []


def test_reimport_corrects_group_and_contact_and_keeps_the_link(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(
        "name;group;contact\nBlumen Müller;firm;\nHeimatverein;association;\n", encoding="utf-8"
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    first = links(workdir / "orgs-links.csv")
    # Someone joined with the link before the group was corrected.
    with sqlite3.connect(workdir / "agenda.sqlite3") as conn:
        org_id = conn.execute(
            "SELECT id FROM organisations WHERE name = 'Blumen Müller'"
        ).fetchone()
        conn.execute(
            "INSERT INTO people (telegram_id, consent_version, consented_at, group_id,"
            " organisation_id, created_at, updated_at) VALUES (42, 'v', 'x', 'firm', ?, 'x', 'x')",
            org_id,
        )
    capsys.readouterr()

    (workdir / "orgs.csv").write_text(
        "Name;Gruppe;Kontakt\nBlumen müller;Einzelhandel;laden@example.org\nHeimatverein;Verein;\n",
        encoding="utf-8",
    )
    assert main(["invite", "import", "orgs.csv", *BOT]) == 0
    out = capsys.readouterr().out
    assert "2 Organisationen (organisations): 0 neu (new), 1 geändert (updated)," in out
    assert "1 unverändert (unchanged)" in out
    rows = stored(workdir)
    assert [(n, g, c) for n, g, c, _ in rows] == [
        ("Blumen müller", "retail", "laden@example.org"),
        ("Heimatverein", "association", None),
    ]
    assert list(links(workdir / "orgs-links.csv").values()) == list(first.values())
    with sqlite3.connect(workdir / "agenda.sqlite3") as conn:
        assert conn.execute("SELECT group_id FROM people").fetchone() == ("retail",)
