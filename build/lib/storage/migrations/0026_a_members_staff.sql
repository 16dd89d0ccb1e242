-- Invitation links belong to one organisation (issue 12, item 6): the first person to redeem an
-- organisation's link is its contact; a later person with the same link waits in
-- member_requests until the contact (or staff) confirms them, and only the contact decides
-- whether the organisation may be named. A revoked or replaced link is kept in revoked_tokens,
-- so it is answered with a clear note instead of "unknown".
ALTER TABLE organisations ADD COLUMN contact_person INTEGER REFERENCES people(id) ON DELETE SET NULL;

-- Organisations from before: the first person who joined speaks for it.
UPDATE organisations SET contact_person =
    (SELECT min(p.id) FROM people p WHERE p.organisation_id = organisations.id);

CREATE TABLE member_requests (
    person_id        INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    requested_at     TEXT NOT NULL
);
CREATE INDEX member_requests_by_organisation ON member_requests (organisation_id);

CREATE TABLE revoked_tokens (
    token            TEXT PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    revoked_at       TEXT NOT NULL
);

-- Staff added in the chat by an admin (/team), besides AGENDA_STAFF_IDS: numeric ids only.
CREATE TABLE staff_members (
    telegram_id  INTEGER PRIMARY KEY CHECK (telegram_id > 0),
    added_by     INTEGER,
    added_at     TEXT NOT NULL
);
