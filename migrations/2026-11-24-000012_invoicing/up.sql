-- One live invoice per order; a voided one may be replaced.
CREATE UNIQUE INDEX invoices_one_live_per_order ON invoices (order_id) WHERE status <> 'void' AND order_id IS NOT NULL;
-- A checkout session still open can be reused by a second "Pay" instead of opening another.
ALTER TABLE payments ADD COLUMN expires_at timestamptz;
