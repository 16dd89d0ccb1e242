"""The simulated people of `agenda-bot demo`: who they are (what they say: ``answers.py``).

Everything here is invented but plausible for Hagenow (Landkreis Ludwigslust-Parchim).
All randomness comes from the `random.Random` passed in, so a demo run is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.consultation.model import Consultation

# Telegram ids of simulated people start here (the staff member has STAFF_ID in bot.demo).
FIRST_TELEGRAM_ID = 100_001

FIRST_NAMES = [
    "Anke",
    "Bernd",
    "Carola",
    "Dirk",
    "Elke",
    "Frank",
    "Gabi",
    "Heiko",
    "Ines",
    "Jens",
    "Katrin",
    "Lars",
    "Maren",
    "Nico",
    "Petra",
    "Ralf",
    "Sabine",
    "Torsten",
    "Ulrike",
    "Volker",
    "Wiebke",
    "Yvonne",
    "Anja",
    "Björn",
    "Doreen",
    "Enrico",
    "Franziska",
    "Holger",
    "Jana",
    "Kai",
]
SURNAMES = [
    "Schulz",
    "Krüger",
    "Möller",
    "Wendt",
    "Peters",
    "Lüth",
    "Brandt",
    "Voß",
    "Hinz",
    "Timm",
    "Rehse",
    "Behrens",
    "Kruse",
    "Saß",
    "Jahnke",
    "Burmeister",
    "Lembke",
    "Evers",
]

# Organisations staff invite in advance (name, group, contact); each gets a deep link.
INVITED: list[tuple[str, str, str]] = [
    ("Autohaus Schulz Hagenow", "firm", "info@autohaus-schulz.example"),
    ("Tischlerei Krüger", "firm", "kontakt@tischlerei-krueger.example"),
    ("Elektro Wendt GmbH", "firm", "buero@elektro-wendt.example"),
    ("Spedition Lüth & Sohn", "firm", "dispo@lueth-spedition.example"),
    ("Metallbau Hagenow GmbH", "firm", "info@metallbau-hagenow.example"),
    ("Blumen Möller", "retail", "laden@blumen-moeller.example"),
    ("Optik am Markt", "retail", "optik-am-markt@example.org"),
    ("Buchhandlung Hinz", "retail", "buch@hinz.example"),
    ("Modehaus Peters", "retail", "info@modehaus-peters.example"),
    ("Bäckerei Timm", "retail", "timm@baeckerei.example"),
    ("Hotel Stadt Hagenow", "tourism", "rezeption@hotel-hagenow.example"),
    ("Landhotel am Sudenhof", "tourism", "info@landhotel-sudenhof.example"),
    ("Museum Alte Synagoge Hagenow", "tourism", "museum@hagenow.example"),
    ("Pension Am Mühlenteich", "tourism", "pension@muehlenteich.example"),
    ("Radverleih Hagenow", "tourism", "rad@verleih-hagenow.example"),
    ("Europaschule Hagenow", "school", "sekretariat@europaschule-hagenow.example"),
    ("Regionale Schule Wittenburg", "school", "schule@wittenburg.example"),
    ("Berufliche Schule Hagenow", "school", "bs@hagenow.example"),
    ("Grundschule Am Mühlenteich", "school", "gs-muehlenteich@example.org"),
    ("Heimatverein Hagenow e.V.", "association", "vorstand@heimatverein-hagenow.example"),
    ("Gewerbeverein Hagenow e.V.", "association", "info@gewerbeverein-hagenow.example"),
    ("Kreishandwerkerschaft Westmecklenburg", "association", "info@khs-wm.example"),
    ("Tourismusverband Mecklenburg-Schwerin e.V.", "association", "info@tv-ms.example"),
    ("Amt Hagenow-Land", "admin", "poststelle@amt-hagenow-land.example"),
    ("Landkreis Ludwigslust-Parchim, Wirtschaftsförderung", "admin", "wf@lup.example"),
    ("Stadtwerke Hagenow GmbH", "admin", "service@stadtwerke-hagenow.example"),
    ("Stadt Hagenow, Bürgerbüro", "admin", "buergerbuero@hagenow.example"),
    ("Hochschule Wismar", "university", "transfer@hs-wismar.example"),
    ("Universität Rostock, Institut für Informatik", "university", "info@uni-rostock.example"),
    ("Hochschule Neubrandenburg", "university", "transfer@hs-nb.example"),
    ("Fachhochschule für öffentliche Verwaltung Güstrow", "university", "info@fh-guestrow.example"),
]

# Self-registered organisations: a kind of business plus a surname, or a fixed list.
ORG_PREFIXES: dict[str, list[str]] = {
    "firm": [
        "Malerbetrieb",
        "Dachdeckerei",
        "Ingenieurbüro",
        "IT-Service",
        "Sanitär",
        "Steuerbüro",
        "Kfz-Werkstatt",
        "Landtechnik",
        "Bauunternehmen",
        "Zimmerei",
    ],
    "retail": [
        "Blumen",
        "Schuhhaus",
        "Fahrrad",
        "Getränkemarkt",
        "Fleischerei",
        "Optik",
        "Spielwaren",
        "Eisenwaren",
        "Hofladen",
        "Naturkost",
    ],
    "tourism": [
        "Ferienwohnung",
        "Gasthof",
        "Café",
        "Reiterhof",
        "Pension",
        "Imbiss",
        "Kanuverleih",
        "Ferienhof",
    ],
}
ORG_NAMES: dict[str, list[str]] = {
    "school": [
        "Europaschule Hagenow",
        "Regionale Schule Hagenow",
        "Gymnasium Hagenow",
        "Grundschule Hagenow-Nord",
        "Regionale Schule Lübtheen",
        "Schule am Wald Zarrentin",
        "Förderschule Hagenow",
    ],
    "association": [
        "SV Hagenow 1990 e.V.",
        "Förderverein Freiwillige Feuerwehr Hagenow",
        "Kleingartenverein Sonnenschein e.V.",
        "Seniorenbeirat Hagenow",
        "Jugendclub Hagenow e.V.",
        "IHK zu Schwerin, Regionalbüro",
        "Landfrauenverein Hagenow-Land",
    ],
    "admin": [
        "Stadt Hagenow, Bauamt",
        "Stadt Hagenow, Ordnungsamt",
        "Amt Zarrentin",
        "Amt Wittenburg",
        "Jobcenter Ludwigslust-Parchim",
        "Kreisvolkshochschule",
    ],
    "university": [
        "Hochschule Wismar",
        "Universität Rostock",
        "Technische Hochschule Lübeck",
        "Universität Greifswald",
        "Hochschule Stralsund",
    ],
}

# Which action fields each group is most likely to choose (first = most likely).
FIELD_AFFINITY: dict[str, list[str]] = {
    "firm": ["handel", "verwaltung", "tourismus"],
    "retail": ["handel", "tourismus", "verwaltung"],
    "tourism": ["tourismus", "handel", "verwaltung"],
    "school": ["handel", "verwaltung", "tourismus"],
    "association": ["tourismus", "handel", "verwaltung"],
    "admin": ["verwaltung", "tourismus", "handel"],
    "university": ["verwaltung", "handel", "tourismus"],
    "citizen": ["verwaltung", "tourismus", "handel"],
}


@dataclass(frozen=True)
class Persona:
    """One simulated person and what they will do."""

    telegram_id: int
    first_name: str
    lang: str
    group_id: str | None  # None for people who refuse consent (asked before the group)
    organisation: str | None  # typed name; None for citizens and invited members
    invite_token: str | None
    invited_name: str | None
    fields: tuple[str, ...]
    named: bool
    consents: bool
    questionnaires: int  # how many open questionnaires they start
    reports_problem: bool
    votes: bool  # looks at others' reports later and says "affects us too"

    def describe(self) -> str:
        """A short label for messages about this person."""
        org = self.invited_name or self.organisation or "ohne Organisation"
        return f"{self.first_name} ({self.telegram_id}, {self.group_id}, {org}, {self.lang})"


def invite_token(index: int, rng: random.Random) -> str:
    """A reproducible deep-link token (the real import uses bot.invites.new_token)."""
    return f"demo{index:02d}" + "".join(
        rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8)
    )


def _fields(rng: random.Random, group_id: str) -> tuple[str, ...]:
    likely = FIELD_AFFINITY[group_id]
    count = rng.choices([1, 2, 3], weights=[5, 4, 1])[0]
    chosen = {likely[0]} if rng.random() < 0.8 else {rng.choice(likely)}
    while len(chosen) < count:
        chosen.add(rng.choice(likely))
    return tuple(f for f in likely if f in chosen)


def _org_name(rng: random.Random, group_id: str) -> str | None:
    if group_id == "citizen":
        return None
    if group_id in ORG_PREFIXES:
        return f"{rng.choice(ORG_PREFIXES[group_id])} {rng.choice(SURNAMES)}"
    return rng.choice(ORG_NAMES[group_id])


def make_personas(
    rng: random.Random,
    consultation: Consultation,
    per_group: int,
    invited: list[tuple[str, str, str]],
) -> list[Persona]:
    """per_group consenting people for every group, a few who refuse, in a shuffled order.

    `invited` holds (name, group, token) of the invited organisations that will join; each
    is taken up by one person of its group while there are places left.
    """
    personas: list[Persona] = []
    next_id = FIRST_TELEGRAM_ID
    for group in consultation.groups:
        joining = [inv for inv in invited if inv[1] == group.id]
        for index in range(per_group):
            invite = joining[index] if index < len(joining) else None
            lang = "en" if rng.random() < 0.1 else "de"
            personas.append(
                Persona(
                    telegram_id=next_id,
                    first_name=rng.choice(FIRST_NAMES),
                    lang=lang,
                    group_id=group.id,
                    organisation=None if invite else _org_name(rng, group.id),
                    invite_token=invite[2] if invite else None,
                    invited_name=invite[0] if invite else None,
                    fields=_fields(rng, group.id),
                    named=rng.random() < 0.7,
                    consents=True,
                    questionnaires=rng.choices([1, 2, 3], weights=[4, 4, 2])[0],
                    reports_problem=rng.random() < 0.33,
                    votes=rng.random() < 0.5,
                )
            )
            next_id += 1
    refusing = max(1, round(len(personas) * 0.03))
    for _ in range(refusing):
        personas.append(
            Persona(
                next_id,
                rng.choice(FIRST_NAMES),
                "de",
                None,
                None,
                None,
                None,
                (),
                named=False,
                consents=False,
                questionnaires=0,
                reports_problem=False,
                votes=False,
            )
        )
        next_id += 1
    rng.shuffle(personas)
    return personas
