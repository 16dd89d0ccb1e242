-- Duplicate problem reports (issue 14): staff merge one report into another. The merged report
-- stays (its text is not lost, the export lists it) but is no longer shown or voted on: its
-- "affects us too" votes and its reporter move to the kept report as votes.

ALTER TABLE problems ADD COLUMN merged_into INTEGER REFERENCES problems(id) ON DELETE SET NULL;
ALTER TABLE problems ADD COLUMN merged_at TEXT;
