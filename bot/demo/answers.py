"""What the simulated people of `agenda-bot demo` say: answers, free texts and problem reports.

Invented but plausible for Hagenow, keyed by action field and question id of
``consultations/hagenow.yaml``. All randomness comes from the `random.Random` passed in, so a demo
run is reproducible. Who the people are: ``bot.demo.people``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bot.consultation.questionnaire import Question, Questionnaire
from storage.answers import AnswerValue

# Single-choice questions where the answer depends on who answers: (questionnaire, question)
# -> group -> likely option ids. Other groups and questions pick any option.
LIKELY_OPTIONS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("sq-verwaltung", "rolle"): {
        "admin": ["intern"],
        "citizen": ["privat"],
        "school": ["intern", "betrieb"],
        "firm": ["betrieb"],
        "retail": ["betrieb"],
        "tourism": ["betrieb"],
        "association": ["betrieb", "privat"],
    },
    ("sq-tourismus", "angebot"): {
        "tourism": ["gastgeber", "gastgeber", "freizeit", "mobil"],
        "retail": ["handel"],
        "firm": ["handel", "mobil"],
        "association": ["verein", "freizeit"],
        "citizen": ["privat"],
        "admin": ["verein", "privat"],
    },
    ("sq-handel", "branche"): {
        "retail": ["handel"],
        "association": ["verband"],
        "firm": ["handwerk", "dienst", "industrie", "logistik", "handwerk"],
    },
}

# Free texts, by action field and question id ("*" for any text question of the field).
_ANY = "*"
TEXTS_DE: dict[str, dict[str, list[str]]] = {
    "verwaltung": {
        "beispiel": [
            "In Schwerin bucht man Termine im Bürgerbüro online, mit Erinnerung per SMS.",
            "Die Stadt Wismar hat ein Mängelmelder-Portal: Schlagloch fotografieren, fertig.",
            "Der Landkreis Vorpommern-Greifswald verschickt Bescheide digital ins Postfach.",
            "Ludwigslust hat einen digitalen Gewerbe-Service mit festen Ansprechpartnern.",
        ],
        "wo": [
            "Schwerin, Bürgerbüro",
            "Wismar",
            "Landkreis Vorpommern-Greifswald",
            "Ludwigslust",
            "https://www.serviceportal-mv.de",
        ],
        "bedarf": [
            "Einen Zugang zum Serviceportal MV und eine Schulung fürs Bürgerbüro.",
            "Etwas Geld für die Software und zwei Kollegen, die es betreuen.",
        ],
        "hindernis": [
            "Die Fachverfahren im Amt sprechen nicht miteinander.",
            "Zu wenig Personal, um parallel Papier und digital zu machen.",
        ],
        "wuenschens": [
            "Alle Anträge online, mit Statusanzeige wie bei einem Paket.",
            "Ein Bürgerkonto für alles, auch für Vereine und Betriebe.",
        ],
        "notwendig": [
            "Schnelles Internet im Rathaus und eine E-Akte für alle Ämter.",
            "Feste Ansprechpartner für Betriebe, erreichbar auch per Mail.",
        ],
        "machbar": [
            "Online-Terminbuchung fürs Bürgerbüro.",
            "Formulare als ausfüllbare PDF auf der Website.",
        ],
        _ANY: [
            "Gewerbeanmeldung dauert zu lange, weil alles ausgedruckt wird.",
            "Öffnungszeiten des Bürgerbüros passen nicht für Berufstätige.",
            "Mehr Infos per Messenger, z. B. zu Baustellen & Straßensperrungen.",
            "Danke, dass wir gefragt werden!",
        ],
    },
    "tourismus": {
        "beispiel": [
            "Die Insel Usedom hat eine Gästekarte als App, mit Bus und Eintritt inklusive.",
            "Im Schweriner Seenland kann man Räder an jeder Station ausleihen und zurückgeben.",
            "Die Stadt Plau am See hat einen gemeinsamen Veranstaltungskalender aller Vereine.",
        ],
        "wo": ["Usedom", "Schweriner Seenland", "Plau am See", "Lübeck, Travemünde"],
        "bedarf": [
            "Partner aus Hotels und Vereinen, die ihre Termine eintragen.",
            "Fördermittel vom Land und jemand, der es pflegt.",
        ],
        "hindernis": [
            "Hagenow hat zu wenige Gäste für eine eigene App.",
            "Die Busse fahren am Wochenende kaum.",
        ],
        "wuenschens": [
            "Gäste finden alles an einem Ort: Zimmer, Rad, Museum, Bus.",
            "Ein digitaler Rundgang durch die Altstadt mit der Alten Synagoge.",
        ],
        "notwendig": [
            "WLAN am Bahnhof und in der Innenstadt.",
            "Ein gemeinsamer Kalender, damit Feste sich nicht überschneiden.",
        ],
        "machbar": [
            "Alle Unterkünfte auf einer Karte auf hagenow.de.",
            "Ladepunkte für E-Bikes am Markt.",
        ],
        _ANY: [
            "Radweg nach Schwerin ausschildern und online zeigen.",
            "Der Fahrplan am Bahnhof ist oft falsch, Echtzeit wäre toll.",
            "Mehr Gäste aus Hamburg ansprechen, die Bahn ist ja schnell.",
        ],
    },
    "handel": {
        "beispiel": [
            "In Wittenberge gibt es einen lokalen Online-Marktplatz mit Lieferdienst am Abend.",
            "Die Stadt Grevesmühlen hat einen Gutschein, der in allen Läden gilt.",
            "In Parchim vermittelt eine Azubi-Börse Praktika direkt zwischen Schule und Betrieb.",
        ],
        "wo": ["Wittenberge", "Grevesmühlen", "Parchim", "www.azubi-mv.example"],
        "bedarf": [
            "Einen Kümmerer beim Gewerbeverein und eine Anschubfinanzierung.",
            "Mindestens 20 Läden, die mitmachen.",
        ],
        "hindernis": [
            "Viele Inhaber haben keine Zeit für noch ein Portal.",
            "Die Lieferung lohnt sich bei den kurzen Wegen kaum.",
        ],
        "wuenschens": [
            "Hagenower Läden sind online sichtbar und trotzdem vor Ort stark.",
            "Jeder Schüler findet ein Praktikum in Hagenow mit zwei Klicks.",
        ],
        "notwendig": [
            "Glasfaser im Gewerbegebiet.",
            "Beratung zur E-Rechnung, die ab 2027 Pflicht wird.",
        ],
        "machbar": [
            "Ein gemeinsames Schaufenster auf hagenow.de.",
            "Eine Liste aller Ausbildungsbetriebe für die Schulen.",
        ],
        "berufe": [
            "Verkäufer/in, Kaufleute im Einzelhandel",
            "Elektroniker/in, Mechatroniker/in",
            "Berufskraftfahrer/in, Fachkraft Lagerlogistik",
            "Tischler/in",
            "Koch/Köchin, Hotelfachleute",
        ],
        _ANY: [
            "Wir finden kaum Azubis, die Schulen sollten uns besser kennen.",
            "Mehr Parkplätze & schnelles Internet in der Innenstadt.",
            "Die Website der Stadt sollte alle Geschäfte zeigen <b>mit Öffnungszeiten</b>.",
            "Unsere Kasse ist alt, ein Förderprogramm wäre gut.",
        ],
    },
    "ausbildung": {
        "hinweis": [
            "Viele suchen Praktika in den Osterferien.",
            "Pflege und Handwerk sind gefragt, IT leider kaum bekannt.",
            "Betriebe sollten sich bei uns im Unterricht vorstellen.",
        ],
        "berufe": [
            "Verkäufer/in",
            "Anlagenmechaniker/in SHK",
            "Industriekaufleute",
            "Pflegefachfrau/-mann",
            "Fachinformatiker/in",
        ],
        _ANY: ["Schätzung der Klassenleitungen."],
    },
}
TEXTS_EN: dict[str, list[str]] = {
    "verwaltung": [
        "Online appointments like in Schwerin would help a lot.",
        "All forms should be available in English too.",
    ],
    "tourismus": [
        "A bike rental app for the whole region, like on Usedom.",
        "Real-time bus information at the station.",
    ],
    "handel": [
        "A local online marketplace with delivery.",
        "Faster internet in the business park.",
    ],
    "ausbildung": ["Internships during the Easter holidays.", "Retail sales assistant"],
}

# Problem reports per action field: (title, description). Several people may report the same.
PROBLEMS: dict[str, list[tuple[str, str]]] = {
    "verwaltung": [
        (
            "Gewerbeanmeldung nur auf Papier",
            "Wir mussten dreimal ins Rathaus, weil ein Formular fehlte. "
            "Online wäre es in 10 Minuten erledigt.",
        ),
        (
            "Keine Online-Termine im Bürgerbüro",
            "Man muss zu den Sprechzeiten anrufen, die Leitung ist oft besetzt.",
        ),
        (
            "Bauantrag: Stand unbekannt",
            "Nach sechs Wochen wissen wir nicht, wo der Antrag liegt. Eine Statusanzeige fehlt.",
        ),
        (
            "Website der Stadt schwer zu finden",
            "Formulare sind als Scan hinterlegt und lassen sich nicht ausfüllen.",
        ),
    ],
    "tourismus": [
        (
            "Kein WLAN am Bahnhof",
            "Gäste kommen mit der Bahn an und finden keine Infos zu Bus, Rad oder Unterkunft.",
        ),
        (
            "Veranstaltungen nirgends gebündelt",
            "Jeder Verein hat seinen eigenen Kalender, Gäste finden die Feste nicht.",
        ),
        ("Busfahrplan nicht online aktuell", "Die Abfahrten im Netz stimmen am Wochenende nicht."),
        (
            "Keine Ladepunkte für E-Bikes",
            "Radtouristen fragen danach; in der Innenstadt gibt es keinen einzigen Ladepunkt.",
        ),
    ],
    "handel": [
        (
            "Langsames Internet im Gewerbegebiet",
            "Upload unter 5 Mbit/s: Cloud-Kasse und Videocalls brechen ab.",
        ),
        (
            "Azubis finden uns nicht",
            "Schulen und Betriebe kennen sich kaum; Praktika laufen nur über Bekannte.",
        ),
        (
            "E-Rechnung: keiner weiß Bescheid",
            "Ab 2027 Pflicht, aber kleine Betriebe wissen nicht, was sie brauchen.",
        ),
        (
            "Innenstadt-Läden online unsichtbar",
            "Viele Geschäfte haben keinen Google-Eintrag & keine Website.",
        ),
    ],
}


def field_of(questionnaire: Questionnaire) -> str:
    """The key of the text pools for a questionnaire."""
    return questionnaire.action_field or "ausbildung"


def text_answer(
    rng: random.Random, questionnaire: Questionnaire, question: Question, lang: str
) -> str:
    """A free-text answer that fits the questionnaire's field and the question."""
    key = field_of(questionnaire)
    if lang == "en":
        return rng.choice(TEXTS_EN[key])
    pool = TEXTS_DE[key]
    return rng.choice(pool.get(question.id) or pool[_ANY])


def number_answer(rng: random.Random, questionnaire: Questionnaire, question: Question) -> int:
    """A plausible number within the question's range."""
    if question.id == "beschaeft":
        value = rng.choice([1, 2, 3, 4, 6, 8, 12, 15, 25, 40, 85, 230])
    elif question.id == "schueler":
        value = rng.randint(18, 110)
    elif questionnaire.kind == "training_demand":
        value = rng.choices([0, 1, 2, 3, 5, 8, 12], weights=[3, 3, 3, 2, 2, 1, 1])[0]
    else:
        value = rng.choices([0, 1, 2, 3, 4], weights=[6, 4, 2, 1, 1])[0]
    return max(question.min_value, min(question.max_value, value))


def option_choice(
    rng: random.Random, questionnaire: Questionnaire, question: Question, group_id: str
) -> str:
    """An option id for a single-choice question, likelier ones for the person's group."""
    likely = LIKELY_OPTIONS.get((questionnaire.id, question.id), {}).get(group_id)
    if likely and rng.random() < 0.85:
        return rng.choice(likely)
    return rng.choice(question.options).id


def multi_choice(rng: random.Random, question: Question) -> list[str]:
    """One to three option ids; "none of these" only ever alone."""
    ids = [o.id for o in question.options]
    if "nichts" in ids and rng.random() < 0.12:
        return ["nichts"]
    candidates = [i for i in ids if i != "nichts"]
    return rng.sample(candidates, k=min(len(candidates), rng.choice([1, 1, 2, 2, 3])))


Picker = Callable[[random.Random, Questionnaire, Question, str, str], AnswerValue]
# Answers that fit Hagenow's questions, per question kind; other kinds answer with the kind's
# own sample (bot.questions).
PICKERS: dict[str, Picker] = {
    "single": lambda rng, qn, q, group, lang: option_choice(rng, qn, q, group),
    "multi": lambda rng, qn, q, group, lang: multi_choice(rng, q),
    "number": lambda rng, qn, q, group, lang: number_answer(rng, qn, q),
    "text": lambda rng, qn, q, group, lang: text_answer(rng, qn, q, lang),
}


def answer_for(
    rng: random.Random, questionnaire: Questionnaire, question: Question, group_id: str, lang: str
) -> AnswerValue:
    """What a persona of this group answers to question."""
    picker = PICKERS.get(question.type)
    if picker is None:
        return question.kind.sample(rng, question)
    return picker(rng, questionnaire, question, group_id, lang)
