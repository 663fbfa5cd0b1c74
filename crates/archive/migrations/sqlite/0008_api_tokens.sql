-- Personal access tokens for the JSON API. Like a session, a token is
-- known by its SHA-256 only: the account holder sees it once, when it is
-- made, and a copy of the database signs no one in.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- 'read' or 'write'; write includes read.
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
