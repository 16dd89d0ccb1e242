-- Staff map an occupation a firm typed ("Anderer Beruf") to a catalogue occupation. The mapping
-- is kept by the typed text (ASCII case ignored), so the same words typed again count at once.
CREATE TABLE training_occupation_map (
    occupation_text  TEXT PRIMARY KEY COLLATE NOCASE,
    field_id         TEXT NOT NULL,          -- the catalogue field of occupation_id
    occupation_id    TEXT NOT NULL,
    mapped_by        INTEGER NOT NULL,       -- the staff member's Telegram id
    mapped_at        TEXT NOT NULL
);

-- Offers as they count: a mapped free-text occupation under its catalogue occupation and field.
CREATE VIEW training_offers_counted AS
SELECT t.id, t.organisation_id,
       COALESCE(m.field_id, t.field_id) AS field_id,
       COALESCE(t.occupation_id, m.occupation_id) AS occupation_id,
       t.occupation_text, t.start_year, t.places, t.internships, t.created_at, t.updated_at
FROM training_offers t
LEFT JOIN training_occupation_map m
       ON t.occupation_id IS NULL AND m.occupation_text = t.occupation_text;
