-- Spending limits and approvals: an orderer may have a per-order and a per-month limit; an
-- order over either waits for a manager or owner (`awaiting_approval`) and reaches the
-- provider only when approved.
ALTER TABLE memberships
  ADD COLUMN order_limit   numeric(12, 2) CHECK (order_limit IS NULL OR order_limit >= 0),
  ADD COLUMN monthly_limit numeric(12, 2) CHECK (monthly_limit IS NULL OR monthly_limit >= 0);

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('awaiting_approval', 'submitted', 'confirmed', 'rejected', 'cancelled',
                    'out_for_delivery', 'delivered'));
ALTER TABLE orders ADD COLUMN approved_by uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX orders_approved_by_idx ON orders (approved_by);
-- The monthly total an orderer has placed, summed inside the submit transaction.
CREATE INDEX orders_business_placed_by_created_idx ON orders (business_id, placed_by, created_at);
