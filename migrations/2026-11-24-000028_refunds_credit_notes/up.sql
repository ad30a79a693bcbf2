-- Refunds of paid invoices and the credit notes that record them (and voids) for VAT.

ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'issued', 'paid', 'partially_refunded', 'refunded', 'void'));
ALTER TABLE invoices
  ADD COLUMN amount_refunded numeric(12, 2) NOT NULL DEFAULT 0
    CHECK (amount_refunded >= 0 AND amount_refunded <= amount_paid),
  ADD CONSTRAINT invoices_refund_state CHECK (
    CASE status
      WHEN 'paid' THEN amount_refunded = 0
      WHEN 'partially_refunded' THEN amount_paid = total AND amount_refunded > 0 AND amount_refunded < amount_paid
      WHEN 'refunded' THEN amount_paid = total AND amount_refunded = amount_paid
      ELSE amount_refunded = 0
    END);

-- Credit notes share the invoice counter row, so one lock serialises both sequences.
ALTER TABLE provider_invoice_counters
  ADD COLUMN last_credit_note integer NOT NULL DEFAULT 0 CHECK (last_credit_note >= 0);

CREATE TABLE refunds (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  invoice_id        uuid NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
  -- The payment the money goes back to.
  payment_id        uuid NOT NULL REFERENCES payments (id) ON DELETE RESTRICT,
  amount            numeric(12, 2) NOT NULL CHECK (amount > 0),
  -- The platform fee (net and its VAT) given back with it, in proportion.
  fee_refunded      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (fee_refunded >= 0),
  fee_vat_refunded  numeric(12, 2) NOT NULL DEFAULT 0 CHECK (fee_vat_refunded >= 0),
  reason            text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  -- requested: written before Stripe is asked; the Stripe request's idempotency key is this
  -- row's id, so asking again can never refund twice.
  status            text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'succeeded', 'failed')),
  gateway_refund_id text UNIQUE CHECK (gateway_refund_id IS NULL OR length(gateway_refund_id) <= 255),
  failure_reason    text CHECK (failure_reason IS NULL OR length(failure_reason) <= 500),
  requested_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  completed_at      timestamptz,
  CHECK (fee_refunded + fee_vat_refunded <= amount),
  CHECK ((status = 'requested') = (completed_at IS NULL)),
  CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
);
CREATE INDEX refunds_invoice_idx ON refunds (invoice_id, created_at);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
CREATE INDEX refunds_requested_by_idx ON refunds (requested_by) WHERE requested_by IS NOT NULL;
-- One refund in flight per invoice: a second waits until the first is answered.
CREATE UNIQUE INDEX refunds_one_open_per_invoice ON refunds (invoice_id) WHERE status = 'requested';

CREATE TABLE credit_notes (
  id              uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id     uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  business_id     uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  invoice_id      uuid NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
  -- The refund it records; none for a void.
  refund_id       uuid UNIQUE REFERENCES refunds (id) ON DELETE RESTRICT,
  sequence_number integer NOT NULL CHECK (sequence_number > 0),
  number          text NOT NULL CHECK (length(number) BETWEEN 1 AND 40),
  reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  issue_date      date NOT NULL,
  subtotal        numeric(12, 2) NOT NULL CHECK (subtotal >= 0),
  vat_total       numeric(12, 2) NOT NULL CHECK (vat_total >= 0),
  total           numeric(12, 2) NOT NULL CHECK (total > 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (total = subtotal + vat_total),
  UNIQUE (provider_id, sequence_number)
);
CREATE INDEX credit_notes_business_idx ON credit_notes (business_id, created_at DESC);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id);
-- A void is credited once.
CREATE UNIQUE INDEX credit_notes_one_void_per_invoice ON credit_notes (invoice_id) WHERE refund_id IS NULL;

-- What a credit note takes back, by VAT rate.
CREATE TABLE credit_note_lines (
  id             bigserial PRIMARY KEY,
  credit_note_id uuid NOT NULL REFERENCES credit_notes (id) ON DELETE RESTRICT,
  vat_rate       numeric(5, 2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate <= 100),
  net            numeric(12, 2) NOT NULL CHECK (net >= 0),
  vat            numeric(12, 2) NOT NULL CHECK (vat >= 0),
  CHECK (net + vat > 0),
  UNIQUE (credit_note_id, vat_rate)
);

ALTER TABLE journal_entries
  ADD COLUMN refund_id uuid REFERENCES refunds (id) ON DELETE RESTRICT;
CREATE INDEX journal_entries_refund_idx ON journal_entries (refund_id) WHERE refund_id IS NOT NULL;
