-- Payouts from providers' connected Stripe accounts to their banks, as Stripe reports them,
-- and which card payments and refunds each one carried.

CREATE TABLE payouts (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id       uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  stripe_payout_id  text NOT NULL UNIQUE CHECK (length(stripe_payout_id) BETWEEN 1 AND 255),
  amount            numeric(12, 2) NOT NULL CHECK (amount >= 0),
  status            text NOT NULL CHECK (status IN ('paid', 'failed')),
  arrival_date      date NOT NULL,
  failure_message   text CHECK (failure_message IS NULL OR length(failure_message) <= 500),
  -- Its payments and refunds add up to it exactly; otherwise admins are asked to look.
  matched           boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'failed') = (failure_message IS NOT NULL))
);
CREATE INDEX payouts_provider_idx ON payouts (provider_id, created_at DESC);
CREATE INDEX payouts_attention_idx ON payouts (created_at DESC) WHERE status = 'failed' OR NOT matched;

ALTER TABLE payments ADD COLUMN payout_id uuid REFERENCES payouts (id) ON DELETE RESTRICT;
CREATE INDEX payments_payout_idx ON payments (payout_id) WHERE payout_id IS NOT NULL;
ALTER TABLE refunds ADD COLUMN payout_id uuid REFERENCES payouts (id) ON DELETE RESTRICT;
CREATE INDEX refunds_payout_idx ON refunds (payout_id) WHERE payout_id IS NOT NULL;
ALTER TABLE journal_entries ADD COLUMN payout_id uuid REFERENCES payouts (id) ON DELETE RESTRICT;
CREATE INDEX journal_entries_payout_idx ON journal_entries (payout_id) WHERE payout_id IS NOT NULL;
