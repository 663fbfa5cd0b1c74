-- Reactions to works, and series.
CREATE TABLE kudos (
    id INTEGER PRIMARY KEY,
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    -- A guest is known by a salted hash of their IP address, never the address.
    guest_key TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (work_id, user_id),
    UNIQUE (work_id, guest_key)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    chapter_id INTEGER NOT NULL REFERENCES chapters (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    pseud_id INTEGER REFERENCES pseuds (id),
    guest_name TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    frozen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_chapter ON comments (chapter_id);

-- A bookmark outlives its work, as on AO3: the note stays, the link goes.
CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY,
    work_id INTEGER REFERENCES works (id) ON DELETE SET NULL,
    pseud_id INTEGER NOT NULL REFERENCES pseuds (id),
    work_title TEXT NOT NULL,
    note TEXT NOT NULL,
    tags TEXT NOT NULL,
    private INTEGER NOT NULL DEFAULT 0,
    rec INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE hits (
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    visitor_key TEXT NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (work_id, visitor_key, day)
);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE series_works (
    series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (series_id, work_id)
);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    UNIQUE (user_id, target_kind, target_id)
);
