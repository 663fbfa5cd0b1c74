-- Bookmarks of a series, and of a work elsewhere (AO3's external works):
-- its address, creator and tags; its title is the bookmark's work_title.
ALTER TABLE bookmarks ADD COLUMN series_id BIGINT REFERENCES series (id) ON DELETE SET NULL;
ALTER TABLE bookmarks ADD COLUMN external_url TEXT;
ALTER TABLE bookmarks ADD COLUMN external_creator TEXT;
ALTER TABLE bookmarks ADD COLUMN external_tags TEXT;
