-- The outbox: every scheduled or bulk message is one row here. The job queue only wakes the
-- dispatcher; this table decides what goes out, so a restart neither loses nor doubles a message.
-- Times are UTC ISO strings with seconds ('2027-03-15T17:30:00+00:00'), so they compare as text.

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    recipient    INTEGER NOT NULL,              -- Telegram chat id (a group's id is negative)
    kind         TEXT NOT NULL,                 -- 'digest', later reminders and broadcasts
    payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),  -- e.g. {"workshop": "ws-handel"}
    due_at       TEXT NOT NULL,                 -- not sent before this moment
    valid_until  TEXT,                          -- after this a pending row is dropped, not sent
    dedupe_key   TEXT NOT NULL UNIQUE,          -- planning the same message twice is harmless
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts     INTEGER NOT NULL DEFAULT 0,    -- failed attempts so far
    last_error   TEXT,                          -- or the note why a row was dropped / reconciled
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);

-- The dispatcher's question: which pending rows are due?
CREATE INDEX outbox_due ON outbox (status, due_at);
