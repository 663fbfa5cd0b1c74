-- Personal access tokens for the JSON API. Like a session, a token is
-- known by its SHA-256 only: the account holder sees it once, when it is
-- made, and a copy of the database signs no one in.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- 'read' or 'write'; write includes read.
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
