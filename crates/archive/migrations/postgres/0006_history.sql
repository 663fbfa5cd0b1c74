-- What each signed-in reader has read, for their own history page only.
CREATE TABLE readings (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    work_id BIGINT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    last_read_at BIGINT NOT NULL,
    visits BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX readings_recent ON readings (user_id, last_read_at);
