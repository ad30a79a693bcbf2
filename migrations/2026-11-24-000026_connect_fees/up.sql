-- Providers paid through Stripe Connect (Express), and the platform fee taken on each payment.

-- A provider's connected account and what Stripe last told us about it (account.updated).
CREATE TABLE payout_accounts (
  provider_id        uuid PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
  stripe_account_id  text NOT NULL UNIQUE CHECK (length(stripe_account_id) BETWEEN 1 AND 255),
  charges_enabled    boolean NOT NULL DEFAULT false,
  payouts_enabled    boolean NOT NULL DEFAULT false,
  details_submitted  boolean NOT NULL DEFAULT false,
  -- Stripe's `requirements.currently_due`: what the provider still has to give Stripe.
  requirements       text[] NOT NULL DEFAULT '{}',
  disabled_reason    text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER payout_accounts_updated_at BEFORE UPDATE ON payout_accounts
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- The platform fee: a percent of the invoice total plus a fixed amount, held between a minimum
-- and an optional maximum, before VAT. One platform-wide rule (provider_id NULL) and optional
-- per-provider overrides.
CREATE TABLE fee_rules (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid UNIQUE REFERENCES providers (id) ON DELETE CASCADE,
  percent     numeric(5, 2) NOT NULL DEFAULT 0 CHECK (percent >= 0 AND percent <= 50),
  fixed       numeric(12, 2) NOT NULL DEFAULT 0 CHECK (fixed >= 0 AND fixed <= 1000),
  minimum     numeric(12, 2) NOT NULL DEFAULT 0 CHECK (minimum >= 0 AND minimum <= 1000),
  maximum     numeric(12, 2) CHECK (maximum IS NULL OR (maximum >= minimum AND maximum <= 100000)),
  updated_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX fee_rules_platform_once ON fee_rules ((provider_id IS NULL)) WHERE provider_id IS NULL;
CREATE INDEX fee_rules_updated_by_idx ON fee_rules (updated_by);
CREATE TRIGGER fee_rules_updated_at BEFORE UPDATE ON fee_rules
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
INSERT INTO fee_rules (provider_id) VALUES (NULL);

-- The fee is fixed when the invoice is issued: a later rule change never alters it.
ALTER TABLE invoices
  ADD COLUMN platform_fee     numeric(12, 2) NOT NULL DEFAULT 0 CHECK (platform_fee >= 0),
  ADD COLUMN platform_fee_vat numeric(12, 2) NOT NULL DEFAULT 0 CHECK (platform_fee_vat >= 0),
  ADD CONSTRAINT invoices_fee_within_total CHECK (platform_fee + platform_fee_vat <= total);

-- Where a card payment's money went, as asked of Stripe.
ALTER TABLE payments
  ADD COLUMN destination_account text,
  ADD COLUMN application_fee     numeric(12, 2) NOT NULL DEFAULT 0 CHECK (application_fee >= 0);

-- Each onboarding link asked of Stripe is numbered, so its request's idempotency key is ours.
ALTER TABLE payout_accounts ADD COLUMN links_issued integer NOT NULL DEFAULT 0 CHECK (links_issued >= 0);
