-- The audit trail (issue 12): every staff action and every refused attempt at a staff command
-- or button, so the town can show who did what and when. Who is a numeric Telegram id (NULL:
-- the command line or a scheduled job); what is an action name from storage/audit.py; the
-- subject is an id (an organisation's, a problem's, a workshop's, 'P0007'), never a name or a
-- text; the detail is a short note without personal data ('sent=12'). Times are UTC ISO strings.

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    INTEGER,                        -- Telegram user id; NULL: command line or job
    via      TEXT NOT NULL CHECK (via IN ('chat', 'cli', 'job')),
    action   TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    subject  TEXT CHECK (length(subject) BETWEEN 1 AND 64),
    refused  INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
    detail   TEXT CHECK (length(detail) BETWEEN 1 AND 120)
);

-- /audit and `agenda-bot audit --since`: the latest entries, entries after a moment; the purge.
CREATE INDEX audit_at ON audit (at);
