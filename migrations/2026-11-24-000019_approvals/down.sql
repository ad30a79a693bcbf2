UPDATE orders SET status = 'cancelled' WHERE status = 'awaiting_approval';
DROP INDEX orders_business_placed_by_created_idx;
ALTER TABLE orders DROP COLUMN approved_by;
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('submitted', 'confirmed', 'rejected', 'cancelled', 'out_for_delivery', 'delivered'));
ALTER TABLE memberships DROP COLUMN order_limit, DROP COLUMN monthly_limit;
