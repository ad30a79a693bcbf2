DROP INDEX journal_entries_refund_idx;
ALTER TABLE journal_entries DROP COLUMN refund_id;
DROP TABLE credit_note_lines;
DROP TABLE credit_notes;
DROP TABLE refunds;
ALTER TABLE provider_invoice_counters DROP COLUMN last_credit_note;
ALTER TABLE invoices DROP CONSTRAINT invoices_refund_state, DROP COLUMN amount_refunded;
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'issued', 'paid', 'void'));
