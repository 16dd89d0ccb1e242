-- Workshop registration (issue 5): one row per event and person, for the kick-off and each
-- workshop of the consultation file. Event ids refer to the file's `events`.
--   registered  holds a seat
--   waiting     on the waiting list, in `position` order
--   offered     a freed seat is held for them until `offered_until` (UTC ISO text)
--   cancelled   signed off, declined or let an offer expire; signing up again reuses the row

CREATE TABLE registrations (
    id             INTEGER PRIMARY KEY,
    event_id       TEXT NOT NULL,
    person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    status         TEXT NOT NULL
                   CHECK (status IN ('registered', 'waiting', 'offered', 'cancelled')),
    position       INTEGER NOT NULL,              -- order of signing up / joining the list
    offered_until  TEXT,                          -- set while 'offered'
    attended       INTEGER CHECK (attended IN (0, 1)),  -- marked by staff; NULL: not yet
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (event_id, person_id)
);

CREATE INDEX registrations_by_event ON registrations (event_id, status, position);
