DROP INDEX payments_autopay_idx;
ALTER TABLE payments DROP COLUMN autopay;
ALTER TABLE businesses DROP COLUMN autopay;
