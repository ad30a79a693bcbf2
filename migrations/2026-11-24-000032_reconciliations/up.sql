-- The daily reconciliation of the journal against Stripe's balance transactions: one row per
-- London day checked, with what each side says and every mismatch found.
CREATE TABLE reconciliations (
  day            date PRIMARY KEY,
  checked_at     timestamptz NOT NULL DEFAULT now(),
  ours_charges   numeric(12, 2) NOT NULL,
  stripe_charges numeric(12, 2) NOT NULL,
  ours_refunds   numeric(12, 2) NOT NULL,
  stripe_refunds numeric(12, 2) NOT NULL,
  mismatches     jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(mismatches) = 'array')
);
