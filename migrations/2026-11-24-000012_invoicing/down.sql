ALTER TABLE payments DROP COLUMN expires_at;
DROP INDEX invoices_one_live_per_order;
