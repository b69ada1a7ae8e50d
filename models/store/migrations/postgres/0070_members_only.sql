-- A session its teachers keep to members: no public page for visitors who
-- are not logged in.
ALTER TABLE sessions ADD COLUMN members_only BOOLEAN NOT NULL DEFAULT FALSE;
