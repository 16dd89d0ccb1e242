-- The inbox: every update from Telegram is stored here before Telegram is told it was received
-- (the next getUpdates offset confirms it), so a crash loses no tap. update_id dedupes updates
-- that Telegram delivers again; a row is 'new' until handled. Times are UTC ISO strings.

CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,            -- Telegram's update_id
    chat_key     TEXT NOT NULL,                  -- updates with one key are handled in order
    payload      TEXT NOT NULL CHECK (json_valid(payload)),  -- the update; '{}' once handled
    received_at  TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'new'
                 CHECK (state IN ('new', 'done', 'stale', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,     -- starts that found it still 'new'
    handled_at   TEXT
);

-- At start: which updates are stored but not handled yet?
CREATE INDEX inbox_open ON inbox (update_id) WHERE state = 'new';
-- The purge of old handled rows.
CREATE INDEX inbox_received ON inbox (received_at);
