-- Pictures and recordings a work's creators uploaded with it. The files
-- live outside the database, named by their SHA-256 (one copy however
-- many works hold the same bytes); a row is what makes a file readable,
-- so a work's media go with the work.
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    -- Whose allowance it counts against; an orphaned work's media count
    -- against no one.
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT,
    height BIGINT,
    -- Widths of the smaller copies kept beside a picture, as '320,800'.
    sizes TEXT NOT NULL,
    name TEXT NOT NULL,
    -- A picture's alt text, or a recording's transcript.
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_of_work ON media (work_id);
CREATE INDEX media_of_user ON media (user_id);
CREATE INDEX media_by_file ON media (sha256);
