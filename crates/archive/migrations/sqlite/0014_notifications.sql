-- Something people may need to hear of (a chapter posted, a comment, a
-- kudos, an invitation), written in the transaction that made it happen.
-- A worker delivers it to inboxes and the outbox later, so posting to a
-- work with ten thousand subscribers doesn't wait for them.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    work_id INTEGER,
    chapter_id INTEGER,
    comment_id INTEGER,
    series_id INTEGER,
    -- The one person an event is for (a co-creator invitation).
    user_id INTEGER,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX events_waiting ON events (delivered_at, id);

-- What a reader's inbox shows: a copy of what it is about as it was, so a
-- renamed work or a deleted comment leaves the notice readable.
CREATE TABLE inbox_items (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id INTEGER,
    kind TEXT NOT NULL,
    work_id INTEGER,
    comment_id INTEGER,
    actor TEXT NOT NULL,
    actor_id INTEGER,
    title TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    link TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1,
    unread INTEGER NOT NULL DEFAULT 1,
    -- Waiting for the daily digest email.
    digest_pending INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX inbox_items_of_user ON inbox_items (user_id, id);
-- The header's unread count, on every signed-in page.
CREATE INDEX inbox_items_unread ON inbox_items (user_id, unread);
CREATE INDEX inbox_items_digest ON inbox_items (digest_pending, user_id);

-- How each kind of notice reaches a reader by email: 'off', 'now' or
-- 'digest'. A kind without a row takes the archive's default.
CREATE TABLE mail_settings (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Email waiting to be handed to the SMTP server: written in the same
-- transaction as what it tells of, sent by a worker with retries. The
-- key makes queueing the same message twice a no-op.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_key TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    -- Which worker holds the claim, for reading back what it claimed.
    claimed_by TEXT,
    sent_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);

-- One-time links sent by email (a password reset, a new address to
-- confirm): only the hash of the secret is kept.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    new_email TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX account_tokens_of_user ON account_tokens (user_id, purpose);

-- Logins an account had before a change of username, so old links still
-- lead to it.
CREATE TABLE former_logins (
    login_key TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX subscriptions_target ON subscriptions (target_kind, target_id);
