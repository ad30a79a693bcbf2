DROP INDEX payments_needs_refund_idx;
DROP INDEX payments_recorded_by_idx;
ALTER TABLE payments DROP CONSTRAINT payments_offline_recorded;
ALTER TABLE payments DROP COLUMN recorded_by, DROP COLUMN paid_on, DROP COLUMN reference, DROP COLUMN method;
DELETE FROM payments WHERE gateway = 'offline';
UPDATE payments SET status = 'failed' WHERE status IN ('processing', 'needs_refund');
ALTER TABLE payments DROP CONSTRAINT payments_gateway_check;
ALTER TABLE payments ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('stripe', 'test'));
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('pending', 'succeeded', 'failed', 'expired'));
