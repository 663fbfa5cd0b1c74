-- Works a signed-in reader marked to read later (AO3's "Mark for Later"),
-- for their own dashboard, feed and API only.
CREATE TABLE marked_for_later (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX marked_for_later_recent ON marked_for_later (user_id, created_at);
