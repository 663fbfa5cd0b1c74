-- Summaries, notes, comments and bookmark notes take HTML from now on, as
-- on AO3, and are kept cleaned. What earlier releases kept as plain text is
-- rewritten when the archive is opened (`formatted::upgrade_stored_fields`),
-- table by table; each row here says how far that has got, and goes when
-- its table is done.
CREATE TABLE formatting_upgrades (
    name TEXT PRIMARY KEY,
    done_through BIGINT NOT NULL DEFAULT 0
);
INSERT INTO formatting_upgrades (name) VALUES ('works'), ('chapters'), ('comments'), ('bookmarks');

-- A series' description, as AO3 has it: HTML, cleaned as a summary is.
ALTER TABLE series ADD COLUMN description TEXT NOT NULL DEFAULT '';
