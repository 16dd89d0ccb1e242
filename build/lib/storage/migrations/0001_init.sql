-- The consultation's state. Questionnaire and question ids refer to the consultation file.

CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    group_id      TEXT NOT NULL,
    contact       TEXT,
    invite_token  TEXT UNIQUE,              -- NULL when a person registered it themselves
    may_be_named  INTEGER NOT NULL DEFAULT 0 CHECK (may_be_named IN (0, 1)),
    created_at    TEXT NOT NULL
);

-- A row exists only after consent: before that nothing is stored.
CREATE TABLE people (
    id               INTEGER PRIMARY KEY,
    telegram_id      INTEGER NOT NULL UNIQUE,
    language         TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
    consent_version  TEXT NOT NULL,
    consented_at     TEXT NOT NULL,
    group_id         TEXT,
    organisation_id  INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    onboarded_at     TEXT,                  -- set when the profile is complete
    awaiting         TEXT,                  -- which typed input the bot waits for (handlers/input.py routes it)
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE person_fields (
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    action_field  TEXT NOT NULL,
    PRIMARY KEY (person_id, action_field)
);

CREATE TABLE responses (
    person_id         INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    questionnaire_id  TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    completed_at      TEXT,
    PRIMARY KEY (person_id, questionnaire_id)
);

CREATE TABLE answers (
    person_id         INTEGER NOT NULL,
    questionnaire_id  TEXT NOT NULL,
    question_id       TEXT NOT NULL,
    value             TEXT,                 -- JSON; NULL means skipped
    answered_at       TEXT NOT NULL,
    PRIMARY KEY (person_id, questionnaire_id, question_id),
    FOREIGN KEY (person_id, questionnaire_id)
        REFERENCES responses(person_id, questionnaire_id) ON DELETE CASCADE
);

-- A multiple-choice selection being ticked, before "Fertig": it never replaces a given answer.
CREATE TABLE selections (
    person_id         INTEGER NOT NULL,
    questionnaire_id  TEXT NOT NULL,
    question_id       TEXT NOT NULL,
    value             TEXT NOT NULL,        -- JSON list of option ids
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (person_id, questionnaire_id, question_id),
    FOREIGN KEY (person_id, questionnaire_id)
        REFERENCES responses(person_id, questionnaire_id) ON DELETE CASCADE
);

CREATE TABLE problems (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER REFERENCES people(id) ON DELETE SET NULL,
    action_field   TEXT NOT NULL,
    title          TEXT,
    description    TEXT,
    photo_file_id  TEXT,
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open')),
    created_at     TEXT NOT NULL,
    submitted_at   TEXT
);
CREATE INDEX problems_by_field ON problems (action_field, status);

CREATE TABLE problem_votes (
    problem_id  INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (problem_id, person_id)
);
