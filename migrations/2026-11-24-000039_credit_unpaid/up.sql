-- Credit notes on an invoice that isn't paid yet: they lower what the buyer owes instead of
-- refunding money. Due = total - amount_credited - amount_paid. An invoice credited in full
-- has nothing left to pay and reads "credited".
ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'issued', 'paid', 'partially_refunded', 'refunded', 'credited', 'void'));
ALTER TABLE invoices
  ADD COLUMN amount_credited numeric(12, 2) NOT NULL DEFAULT 0
    CHECK (amount_credited >= 0 AND amount_credited <= total);
-- "Paid means amount_paid = total" (migration 7's sixth unnamed check) becomes part of the
-- refund-state rule below, which allows for credit.
ALTER TABLE invoices DROP CONSTRAINT invoices_check6;
ALTER TABLE invoices ADD CONSTRAINT invoices_settled_within_total
  CHECK (amount_paid + amount_credited <= total);
ALTER TABLE invoices DROP CONSTRAINT invoices_refund_state;
ALTER TABLE invoices ADD CONSTRAINT invoices_refund_state CHECK (
  CASE status
    WHEN 'paid' THEN amount_refunded = 0 AND amount_paid + amount_credited = total
    WHEN 'partially_refunded' THEN amount_paid + amount_credited = total AND amount_refunded > 0 AND amount_refunded < amount_paid
    WHEN 'refunded' THEN amount_paid + amount_credited = total AND amount_refunded = amount_paid
    WHEN 'credited' THEN amount_refunded = 0 AND amount_paid = 0 AND amount_credited = total
    ELSE amount_refunded = 0
  END);

-- The credit note an accepted or upheld request was settled with, when the invoice wasn't
-- paid; unique, so settling twice can't credit twice.
ALTER TABLE credit_requests
  ADD COLUMN credit_note_id uuid UNIQUE REFERENCES credit_notes (id) ON DELETE RESTRICT;

-- What each credit note records: a refund, a void, or credit before payment. An invoice has
-- at most one void note but any number of credits.
ALTER TABLE credit_notes
  ADD COLUMN kind text NOT NULL DEFAULT 'refund' CHECK (kind IN ('refund', 'void', 'credit'));
UPDATE credit_notes SET kind = 'void' WHERE refund_id IS NULL;
ALTER TABLE credit_notes ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE credit_notes ADD CONSTRAINT credit_notes_kind_refund
  CHECK ((kind = 'refund') = (refund_id IS NOT NULL));
DROP INDEX credit_notes_one_void_per_invoice;
CREATE UNIQUE INDEX credit_notes_one_void_per_invoice ON credit_notes (invoice_id) WHERE kind = 'void';
