-- The refund form carries a key, so a double click or a resent form refunds once.
ALTER TABLE refunds ADD COLUMN form_key uuid UNIQUE;

-- A refund Stripe sent that the card's bank later sent back (`charge.refund.updated` with
-- status failed): the credit note stands and the buyer is still owed the money.
ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_status_check
  CHECK (status IN ('requested', 'succeeded', 'failed', 'returned'));
ALTER TABLE refunds DROP CONSTRAINT refunds_check2;
ALTER TABLE refunds ADD CONSTRAINT refunds_failure_reason_state
  CHECK ((status IN ('failed', 'returned')) = (failure_reason IS NOT NULL));
ALTER TABLE refunds ADD COLUMN returned_at timestamptz,
  ADD CONSTRAINT refunds_returned_state CHECK ((status = 'returned') = (returned_at IS NOT NULL));
CREATE INDEX refunds_returned_idx ON refunds (returned_at) WHERE status = 'returned';

-- The admin invoice list, newest first across every tenant.
CREATE INDEX invoices_issued_idx ON invoices (issue_date DESC, id DESC) WHERE status <> 'draft';
