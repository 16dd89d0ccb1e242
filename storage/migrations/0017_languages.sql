-- rebuild: foreign keys off
-- Languages are declared once, in bot/languages.py: the code checks a person's language
-- against that list, so the table no longer does (a CHECK would need this rebuild for every
-- new language). SQLite cannot drop a CHECK in place: the table is rebuilt once (SQLite's
-- twelve steps; the runner turns foreign keys off for it and checks them before committing,
-- so the tables that refer to people keep their rows). AUTOINCREMENT: a person's number is their
-- pseudonym (P0007) in exports and the audit trail, so an erased number must not come back.
CREATE TABLE people_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- an erased number is never given again
    telegram_id      INTEGER NOT NULL UNIQUE,
    language         TEXT NOT NULL DEFAULT 'de' CHECK (length(language) BETWEEN 2 AND 8),
    consent_version  TEXT NOT NULL,
    consented_at     TEXT NOT NULL,
    group_id         TEXT,
    organisation_id  INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    onboarded_at     TEXT,                  -- set when the profile is complete
    awaiting         TEXT,                  -- which typed input the bot waits for
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    inactive_since   TEXT,                  -- 0003: Telegram answered 403
    reminders_off    INTEGER NOT NULL DEFAULT 0 CHECK (reminders_off IN (0, 1)),
    withdrawn_at     TEXT                   -- 0015: consent withdrawn
);

INSERT INTO people_new (
    id, telegram_id, language, consent_version, consented_at, group_id, organisation_id,
    onboarded_at, awaiting, created_at, updated_at, inactive_since, reminders_off, withdrawn_at
)
SELECT id, telegram_id, language, consent_version, consented_at, group_id, organisation_id,
       onboarded_at, awaiting, created_at, updated_at, inactive_since, reminders_off, withdrawn_at
FROM people;

DROP TABLE people;
ALTER TABLE people_new RENAME TO people;
