-- Teams: every role of the roles table can be held (buyer finance, provider finance; the
-- provider's `staff` is the dispatcher), and owners invite people by email. An invite is a
-- single-use link stored only as a hash; it expires, can be revoked and re-sent (a new
-- token on the same row, so the old link stops working).
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships DROP CONSTRAINT memberships_check1;
ALTER TABLE memberships DROP CONSTRAINT memberships_check2;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
  CHECK (role IN ('owner', 'manager', 'orderer', 'viewer', 'staff', 'finance'));
ALTER TABLE memberships ADD CONSTRAINT memberships_buyer_role_check
  CHECK (business_id IS NULL OR role IN ('owner', 'manager', 'orderer', 'viewer', 'finance'));
ALTER TABLE memberships ADD CONSTRAINT memberships_provider_role_check
  CHECK (provider_id IS NULL OR role IN ('owner', 'manager', 'staff', 'finance'));

CREATE TABLE invites (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id  uuid REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id  uuid REFERENCES providers (id) ON DELETE CASCADE,
  email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role         text NOT NULL CHECK (role IN ('owner', 'manager', 'orderer', 'viewer', 'staff', 'finance')),
  token_hash   bytea NOT NULL UNIQUE,
  invited_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  accepted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(business_id, provider_id) = 1),
  CHECK (business_id IS NULL OR role IN ('owner', 'manager', 'orderer', 'viewer', 'finance')),
  CHECK (provider_id IS NULL OR role IN ('owner', 'manager', 'staff', 'finance')),
  CHECK (num_nonnulls(accepted_at, revoked_at) <= 1)
);
-- One open invite per address and organisation: inviting again re-sends it.
CREATE UNIQUE INDEX invites_open_business_key ON invites (business_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL AND business_id IS NOT NULL;
CREATE UNIQUE INDEX invites_open_provider_key ON invites (provider_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL AND provider_id IS NOT NULL;
CREATE INDEX invites_invited_by_idx ON invites (invited_by);
CREATE INDEX invites_accepted_by_idx ON invites (accepted_by);
