-- Data protection (issue 12): withdrawal, answers kept without any link to a person.

-- When the person withdrew consent: nothing is sent to them or done with their data after that
-- (bot/privacy.py); NULL while consent holds. Consenting again clears it.
ALTER TABLE people ADD COLUMN withdrawn_at TEXT;

-- Answers of erased people, kept only where the consultation file says
-- retention.keep_anonymised: no person, no organisation, no group, the day only.
CREATE TABLE kept_answers (
    id                INTEGER PRIMARY KEY,
    questionnaire_id  TEXT NOT NULL,
    question_id       TEXT NOT NULL,
    value             TEXT NOT NULL CHECK (json_valid(value)),
    answered_on       TEXT NOT NULL              -- YYYY-MM-DD
);
CREATE INDEX kept_answers_by_question ON kept_answers (questionnaire_id, question_id);

-- Every given answer the figures count: people's and the kept anonymous ones.
CREATE VIEW answers_counted AS
SELECT questionnaire_id, question_id, value FROM answers WHERE value IS NOT NULL
UNION ALL
SELECT questionnaire_id, question_id, value FROM kept_answers;

-- Each retention purge (bot/privacy.py): when, and how many people it erased.
CREATE TABLE purges (
    id      INTEGER PRIMARY KEY,
    ran_at  TEXT NOT NULL,
    people  INTEGER NOT NULL
);
