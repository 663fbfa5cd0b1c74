-- Signed-in sessions and each account's reading settings.
-- A session is known by the SHA-256 of its cookie, so a copy of the
-- database holds nothing that signs anyone in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Mute list, reader-insert fill and theme, as the JSON the website writes.
CREATE TABLE preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    settings TEXT NOT NULL
);

-- Secrets the site makes once and keeps: the salt guests' addresses are
-- hashed with for kudos and hits.
CREATE TABLE site_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
