DROP INDEX journal_entries_payout_idx;
ALTER TABLE journal_entries DROP COLUMN payout_id;
DROP INDEX refunds_payout_idx;
ALTER TABLE refunds DROP COLUMN payout_id;
DROP INDEX payments_payout_idx;
ALTER TABLE payments DROP COLUMN payout_id;
DROP TABLE payouts;
