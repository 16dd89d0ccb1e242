"""A person's copy of their data (DSGVO Art. 15, 20): one ZIP with a readable German page
(daten.html) and everything stored as JSON (daten.json), each naming the purposes, the
recipients, the retention date and the controller from the consultation file."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.consultation.model import Consultation
from bot.export_cells import pseudonym
from bot.texts import build_environment
from storage import person_data
from storage.db import Database

TEMPLATE = "exports/person_data.html.j2"


@dataclass(frozen=True)
class Copy:
    """The ZIP and its file name."""

    data: bytes
    file_name: str


def about(consultation: Consultation) -> dict[str, Any]:
    """What the copy says about the processing, from the consultation file."""
    return {
        "controller": consultation.controller,
        "contact": consultation.contact,
        "purposes": [
            "Vorbereitung der Workshops und der Digitalen Agenda der Stadt "
            f"{consultation.town} (Befragung, Problemmeldungen, Anmeldungen, Entwurfsbewertung)",
            "Nachrichten an Sie: Erinnerungen, Rundschreiben, Hinweise zu Ihren Anmeldungen",
        ],
        "recipients": [
            f"Stadtverwaltung {consultation.town} (Wirtschaftsförderung)",
            "Teilnehmende der Workshops: Ihre Organisation nur, wenn Sie die Nennung erlaubt "
            "haben, sonst nur die Gruppe",
            "Telegram (Telegram Messenger Inc.) als Übermittler der Nachrichten, außerhalb der EU",
        ],
        "retention_until": consultation.purge_after.isoformat(),
        "keep_anonymised": consultation.retention.keep_anonymised,
        "consent_version": consultation.consent_version,
    }


async def build_copy(
    db: Database, consultation: Consultation, person_id: int, now: datetime
) -> Copy | None:
    """The ZIP for one person; None if there is no such person."""
    sections = await person_data.collect(db, person_id)
    if sections is None:
        return None
    document = {
        "pseudonym": pseudonym(person_id),
        "created_at": now.isoformat(timespec="seconds"),
        "consultation": consultation.title.get("de"),
        "processing": about(consultation),
        "data": sections,
    }
    page = (
        build_environment()
        .get_template(TEMPLATE)
        .render(document=document, titles=_titles(consultation))
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.html", page)
        archive.writestr(
            "daten.json", json.dumps(document, ensure_ascii=False, indent=2, default=str)
        )
    return Copy(buffer.getvalue(), f"meine-daten-{pseudonym(person_id)}.zip")


def _titles(consultation: Consultation) -> dict[str, str]:
    """Readable names for the ids in the data (questionnaires, questions, fields, groups)."""
    titles: dict[str, str] = {}
    for qn in consultation.questionnaires:
        titles[qn.id] = qn.title.get("de")
        for question in qn.questions:
            titles[f"{qn.id}/{question.id}"] = question.text.get("de")
    for field in consultation.action_fields:
        titles[field.id] = field.title.get("de")
    for group in consultation.groups:
        titles[group.id] = group.title.get("de")
    for event in consultation.events:
        titles[event.id] = event.title.get("de")
    return titles
