DROP INDEX invoices_issued_idx;
DROP INDEX refunds_returned_idx;
ALTER TABLE refunds DROP CONSTRAINT refunds_returned_state, DROP COLUMN returned_at;
ALTER TABLE refunds DROP CONSTRAINT refunds_failure_reason_state;
UPDATE refunds SET status = 'succeeded', failure_reason = NULL WHERE status = 'returned';
ALTER TABLE refunds ADD CONSTRAINT refunds_check2 CHECK ((status = 'failed') = (failure_reason IS NOT NULL));
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
  CHECK (status IN ('requested', 'succeeded', 'failed'));
ALTER TABLE refunds DROP COLUMN form_key;
