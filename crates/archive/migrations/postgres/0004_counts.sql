-- Counts kept beside each work, changed in the same transaction as the
-- reaction, so lists and the search index read them without counting rows.
-- A corpus import seeds kudos and hits; comments and bookmarks are recounted.
ALTER TABLE works ADD COLUMN kudos_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN hits_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN bookmarks_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE works ADD COLUMN comments_count BIGINT NOT NULL DEFAULT 0;
UPDATE works SET
    kudos_count = (SELECT COUNT(*) FROM kudos k WHERE k.work_id = works.id),
    hits_count = (SELECT COUNT(*) FROM hits h WHERE h.work_id = works.id),
    bookmarks_count = (SELECT COUNT(*) FROM bookmarks b WHERE b.work_id = works.id AND b.private = 0),
    comments_count = (SELECT COUNT(*) FROM comments c JOIN chapters ch ON ch.id = c.chapter_id WHERE ch.work_id = works.id);
