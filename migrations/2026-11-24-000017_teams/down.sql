DROP TABLE invites;
DELETE FROM memberships WHERE role = 'finance';
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships DROP CONSTRAINT memberships_buyer_role_check;
ALTER TABLE memberships DROP CONSTRAINT memberships_provider_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
  CHECK (role IN ('owner', 'manager', 'orderer', 'viewer', 'staff'));
ALTER TABLE memberships ADD CONSTRAINT memberships_check1
  CHECK (business_id IS NULL OR role IN ('owner', 'manager', 'orderer', 'viewer'));
ALTER TABLE memberships ADD CONSTRAINT memberships_check2
  CHECK (provider_id IS NULL OR role IN ('owner', 'manager', 'staff'));
