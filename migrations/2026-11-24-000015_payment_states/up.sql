-- Payments that can't go wrong: a delayed bank payment is `processing` (no second attempt
-- while it is), money that arrives for a void or already-paid invoice, or in the wrong
-- amount, is `needs_refund` for an admin, and a provider can record money received outside
-- the platform (bank transfer, cheque) with who recorded it.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'expired', 'needs_refund'));
ALTER TABLE payments DROP CONSTRAINT payments_gateway_check;
ALTER TABLE payments ADD CONSTRAINT payments_gateway_check
  CHECK (gateway IN ('stripe', 'test', 'offline'));
ALTER TABLE payments
  ADD COLUMN method text NOT NULL DEFAULT 'card'
    CHECK (method IN ('card', 'bank_transfer', 'cheque', 'cash', 'other')),
  ADD COLUMN reference text CHECK (reference IS NULL OR length(reference) <= 100),
  ADD COLUMN paid_on date,
  ADD COLUMN recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD CONSTRAINT payments_offline_recorded CHECK (gateway <> 'offline' OR (paid_on IS NOT NULL AND method <> 'card'));
CREATE INDEX payments_recorded_by_idx ON payments (recorded_by);
CREATE INDEX payments_needs_refund_idx ON payments (created_at) WHERE status = 'needs_refund';
