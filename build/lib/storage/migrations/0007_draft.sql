-- The draft action concept (issue 5, items 2-4): published versions of a file of measures,
-- the participants' ratings and comments, and the town's marks. Ratings, comments and marks
-- belong to one version's measure row: a new version starts empty, the old one keeps its own.

CREATE TABLE draft_versions (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    review_until  TEXT NOT NULL,                  -- UTC ISO text: ratings and comments until then
    source        TEXT NOT NULL,                  -- the file as sent (kept for the record)
    created_by    INTEGER,                        -- staff Telegram id; NULL from the command line
    created_at    TEXT NOT NULL,
    published_at  TEXT                            -- NULL while staff have not confirmed it
);

CREATE TABLE draft_measures (
    id            INTEGER PRIMARY KEY,
    version_id    INTEGER NOT NULL REFERENCES draft_versions(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    measure_id    TEXT NOT NULL,                  -- the id in the file
    action_field  TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    goal          TEXT NOT NULL,
    horizon       TEXT NOT NULL,                  -- kurz, mittel, lang or a year
    responsible   TEXT NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),  -- next budget year
    adopted       INTEGER NOT NULL DEFAULT 0 CHECK (adopted IN (0, 1)),   -- into the plan
    UNIQUE (version_id, measure_id)
);

CREATE TABLE draft_ratings (
    measure       INTEGER NOT NULL REFERENCES draft_measures(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    dimension     TEXT NOT NULL CHECK (dimension IN ('w', 'n', 'm')),  -- wünschenswert, notwendig, machbar
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (measure, person_id, dimension)
);

CREATE TABLE draft_comments (
    id            INTEGER PRIMARY KEY,
    measure       INTEGER NOT NULL REFERENCES draft_measures(id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Which bot message shows which measure: a reply to it is a comment on that measure.
CREATE TABLE draft_messages (
    chat_id       INTEGER NOT NULL,
    message_id    INTEGER NOT NULL,
    measure       INTEGER NOT NULL REFERENCES draft_measures(id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
);

-- People who asked for the draft with /entwurf (participants of a workshop get it anyway).
CREATE TABLE draft_optins (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL
);

CREATE INDEX draft_measures_by_version ON draft_measures (version_id, position);
CREATE INDEX draft_comments_by_measure ON draft_comments (measure);
