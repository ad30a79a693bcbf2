-- A buyer deletes a delivery address by archiving it: orders keep their own copy of the
-- address, and an archived one is never offered, edited or ordered to again.
ALTER TABLE locations ADD COLUMN archived_at timestamptz;
ALTER TABLE locations ADD CONSTRAINT locations_archived_not_default
  CHECK (archived_at IS NULL OR NOT is_default);
