-- Cards a business saved with Stripe (Customer + SetupIntent through a Stripe-hosted page),
-- for paying invoices in one click. Stripe keeps the card; we keep its id and what a person
-- needs to recognise it.

ALTER TABLE businesses
  ADD COLUMN stripe_customer_id text UNIQUE
    CHECK (stripe_customer_id IS NULL OR length(stripe_customer_id) BETWEEN 1 AND 255);

-- One row per "add a card" visit to Stripe's page: which business it was for.
CREATE TABLE card_setups (
  id                  uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id         uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  checkout_session_id text UNIQUE CHECK (checkout_session_id IS NULL OR length(checkout_session_id) <= 255),
  created_by          uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz
);
CREATE INDEX card_setups_business_idx ON card_setups (business_id);
CREATE INDEX card_setups_created_by_idx ON card_setups (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE saved_cards (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id       uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  payment_method_id text NOT NULL UNIQUE CHECK (length(payment_method_id) BETWEEN 1 AND 255),
  brand             text NOT NULL CHECK (length(brand) BETWEEN 1 AND 40),
  last4             text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month         integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year          integer NOT NULL CHECK (exp_year BETWEEN 2000 AND 2200),
  is_default        boolean NOT NULL DEFAULT false,
  added_by          uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- Removed cards stay for the payments made with them.
  removed_at        timestamptz,
  CHECK (NOT (is_default AND removed_at IS NOT NULL))
);
CREATE INDEX saved_cards_business_idx ON saved_cards (business_id, created_at);
CREATE INDEX saved_cards_added_by_idx ON saved_cards (added_by) WHERE added_by IS NOT NULL;
CREATE UNIQUE INDEX saved_cards_one_default ON saved_cards (business_id) WHERE is_default;

ALTER TABLE payments ADD COLUMN saved_card_id uuid REFERENCES saved_cards (id) ON DELETE RESTRICT;
CREATE INDEX payments_saved_card_idx ON payments (saved_card_id) WHERE saved_card_id IS NOT NULL;
