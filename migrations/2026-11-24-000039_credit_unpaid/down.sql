DROP INDEX credit_notes_one_void_per_invoice;
-- Fails while an invoice has more than one note without a refund: credit notes are tax
-- records and are never deleted to make a migration go back.
CREATE UNIQUE INDEX credit_notes_one_void_per_invoice ON credit_notes (invoice_id) WHERE refund_id IS NULL;
ALTER TABLE credit_notes DROP CONSTRAINT credit_notes_kind_refund;
ALTER TABLE credit_notes DROP COLUMN kind;
ALTER TABLE credit_requests DROP COLUMN credit_note_id;
ALTER TABLE invoices DROP CONSTRAINT invoices_refund_state;
ALTER TABLE invoices ADD CONSTRAINT invoices_refund_state CHECK (
  CASE status
    WHEN 'paid' THEN amount_refunded = 0
    WHEN 'partially_refunded' THEN amount_paid = total AND amount_refunded > 0 AND amount_refunded < amount_paid
    WHEN 'refunded' THEN amount_paid = total AND amount_refunded = amount_paid
    ELSE amount_refunded = 0
  END);
ALTER TABLE invoices DROP CONSTRAINT invoices_settled_within_total;
ALTER TABLE invoices DROP COLUMN amount_credited;
ALTER TABLE invoices ADD CONSTRAINT invoices_check6 CHECK (status <> 'paid' OR amount_paid = total);
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'issued', 'paid', 'partially_refunded', 'refunded', 'void'));
