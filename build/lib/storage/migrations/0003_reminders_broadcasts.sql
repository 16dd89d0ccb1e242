-- Issue 4: who may be messaged by the outbox, and staff broadcasts.

-- Set when Telegram answered 403 (the person blocked the bot); cleared when they write again.
-- While set, the dispatcher sends them nothing.
ALTER TABLE people ADD COLUMN inactive_since TEXT;

-- 1 when the person switched questionnaire reminders off with /erinnerungen.
ALTER TABLE people ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0
    CHECK (reminders_off IN (0, 1));

-- A staff member's broadcast while they write it: the text, then the chosen segment.
CREATE TABLE broadcast_drafts (
    staff_id    INTEGER PRIMARY KEY,           -- Telegram user id of the staff member
    text        TEXT NOT NULL,
    segment     TEXT,                          -- 'all', 'group:<id>' or 'field:<id>'
    updated_at  TEXT NOT NULL
);

-- A confirmed broadcast; its messages are outbox rows with dedupe key 'broadcast:<id>:<chat>'.
CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    segment     TEXT NOT NULL,
    recipients  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX outbox_by_kind ON outbox (kind, status);
