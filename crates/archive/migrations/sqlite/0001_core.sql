-- People, works, chapters, tags and the change feed.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    login_key TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_wrangler INTEGER NOT NULL DEFAULT 0,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE pseuds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX pseuds_user_name ON pseuds (user_id, name_key);

CREATE TABLE works (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    notes_start TEXT NOT NULL,
    notes_end TEXT NOT NULL,
    language TEXT NOT NULL,
    complete INTEGER NOT NULL,
    expected_chapters INTEGER,
    word_count INTEGER NOT NULL,
    restricted INTEGER NOT NULL,
    draft INTEGER NOT NULL,
    posted_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT UNIQUE
);

CREATE TABLE work_creators (
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    pseud_id INTEGER NOT NULL REFERENCES pseuds (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (work_id, pseud_id)
);

CREATE TABLE chapters (
    id INTEGER PRIMARY KEY,
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    notes_start TEXT NOT NULL,
    notes_end TEXT NOT NULL,
    manuscript TEXT NOT NULL,
    word_count INTEGER NOT NULL,
    posted_at INTEGER NOT NULL,
    UNIQUE (work_id, position)
);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    canonical INTEGER NOT NULL DEFAULT 0,
    synonym_of INTEGER REFERENCES tags (id),
    UNIQUE (kind, name_key)
);

-- Meta-tags (a canonical's sub-tags) and fandom parents of characters and relationships.
CREATE TABLE tag_parents (
    child_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (child_id, parent_id)
);

CREATE TABLE work_tags (
    work_id INTEGER NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (work_id, tag_id)
);
CREATE INDEX work_tags_tag ON work_tags (tag_id);

-- Written in the same transaction as each change, for the search index and caches to follow.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
);
