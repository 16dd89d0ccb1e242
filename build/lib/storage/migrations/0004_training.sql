-- Schule und Wirtschaft: schools' demand and firms' supply of training places, kept up to date
-- by the /ausbildung flow. Field and occupation ids refer to consultations/berufe.yaml.

CREATE TABLE training_demand (
    organisation_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    school_year         INTEGER NOT NULL,   -- the leaving year (Abschlussjahrgang)
    field_id            TEXT NOT NULL,
    seeking_training    INTEGER NOT NULL DEFAULT 0 CHECK (seeking_training BETWEEN 0 AND 1000),
    seeking_internship  INTEGER NOT NULL DEFAULT 0 CHECK (seeking_internship BETWEEN 0 AND 1000),
    wanted_from         INTEGER NOT NULL,   -- the year training should start
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (organisation_id, school_year, field_id)
);

CREATE TABLE training_offers (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    field_id         TEXT NOT NULL,
    occupation_id    TEXT,                  -- from the catalogue; NULL for a free-text one
    occupation_text  TEXT,                  -- "Anderer Beruf", typed: for staff to map
    start_year       INTEGER NOT NULL,
    places           INTEGER NOT NULL DEFAULT 0 CHECK (places BETWEEN 0 AND 1000),
    internships      INTEGER NOT NULL DEFAULT 0 CHECK (internships BETWEEN 0 AND 1000),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (occupation_id IS NOT NULL OR occupation_text IS NOT NULL)
);
CREATE UNIQUE INDEX training_offers_unique
    ON training_offers (organisation_id, start_year, coalesce(occupation_id, '~' || occupation_text));
CREATE INDEX training_offers_by_field ON training_offers (field_id);

-- Per organisation: the contact schools may get (only with consent) and a school's opt-in.
CREATE TABLE training_profiles (
    organisation_id  INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    contact          TEXT,
    contact_consent  INTEGER NOT NULL DEFAULT 0 CHECK (contact_consent IN (0, 1)),
    notify_offers    INTEGER NOT NULL DEFAULT 0 CHECK (notify_offers IN (0, 1)),
    updated_at       TEXT NOT NULL
);
