-- The time-and-measures plan (issue 5, item 5): each plan file staff publish, kept as sent.
-- The latest one is the plan; it is validated against the draft's adopted measures whenever
-- it is rendered, so a measure that lost its adoption shows up as an error, not silently.

CREATE TABLE plan_versions (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,                  -- the YAML file as published
    file_name     TEXT NOT NULL,
    draft_version INTEGER REFERENCES draft_versions(id) ON DELETE SET NULL,
    published_at  TEXT NOT NULL
);
