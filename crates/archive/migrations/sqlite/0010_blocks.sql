-- Who has blocked whom. Blocking is per account: a blocked person can't
-- comment on the blocker's works, reply to their comments, leave them
-- kudos, invite them as a co-creator, or see their bookmarks of the
-- blocked person's works.
CREATE TABLE blocks (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);
