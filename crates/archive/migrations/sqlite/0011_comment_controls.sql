-- Who may comment on a work ('everyone', 'registered' or 'none'), and
-- whether its comments wait for its creators' approval.
ALTER TABLE works ADD COLUMN comment_policy TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE works ADD COLUMN moderated_comments INTEGER NOT NULL DEFAULT 0;
-- A comment waiting for approval (held), hidden by the work's creators or
-- an admin, or marked as spam by an admin.
ALTER TABLE comments ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
