-- Progress after adoption (issue 5, item 6): what staff record per adopted measure, and who
-- follows which measure. Measures are named by their id in the draft and plan files, so
-- progress and followers stay with a measure across new draft versions.

CREATE TABLE progress_entries (
    id            INTEGER PRIMARY KEY,
    measure_id    TEXT NOT NULL,                  -- the id in the draft and plan files
    kind          TEXT NOT NULL CHECK (kind IN ('milestone', 'indicator', 'note')),
    subject       TEXT NOT NULL DEFAULT '',       -- milestone title or indicator name
    value         REAL,                           -- an indicator's value
    note          TEXT NOT NULL DEFAULT '',       -- a short note (at most 500 characters)
    recorded_by   INTEGER,                        -- staff Telegram id
    recorded_at   TEXT NOT NULL                   -- UTC ISO text
);

CREATE INDEX progress_entries_by_measure ON progress_entries (measure_id, kind, id);

CREATE TABLE measure_followers (
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    measure_id    TEXT NOT NULL,
    since         TEXT NOT NULL,
    PRIMARY KEY (person_id, measure_id)
);
