ALTER TABLE locations DROP CONSTRAINT locations_archived_not_default;
ALTER TABLE locations DROP COLUMN archived_at;
