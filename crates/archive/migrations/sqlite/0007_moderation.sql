-- Moderation: works hidden by an admin, suspended accounts, readers'
-- reports, and co-creator invitations (nobody is credited on a work
-- without saying yes).
ALTER TABLE works ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    -- 'work' or 'comment'
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    -- The work the report is about, or the work the comment is on.
    work_id INTEGER REFERENCES works (id) ON DELETE SET NULL,
    reporter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    resolution TEXT
);
CREATE INDEX reports_open ON reports (resolved_at, id);

CREATE TABLE creator_invitations (
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    pseud_id INTEGER NOT NULL REFERENCES pseuds (id) ON DELETE CASCADE,
    invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (work_id, pseud_id)
);
CREATE INDEX creator_invitations_pseud ON creator_invitations (pseud_id);
