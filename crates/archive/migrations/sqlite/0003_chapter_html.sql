-- The author's formatting, sanitized to AO3's allowlist, beside the manuscript.
ALTER TABLE chapters ADD COLUMN html TEXT NOT NULL DEFAULT '';
