-- Provider plans (monthly price, featured placement) and take-rate rules that are versioned:
-- each version takes effect at its start and stays until a later one for the same scope, so an
-- invoice's fee can always be explained by the version in force when it was issued.
CREATE TABLE plans (
  id            uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
  monthly_price numeric(12, 2) NOT NULL DEFAULT 0 CHECK (monthly_price >= 0 AND monthly_price <= 10000),
  featured      boolean NOT NULL DEFAULT false,
  -- The plan every provider is on unless they pay for another: free by definition.
  is_default    boolean NOT NULL DEFAULT false CHECK (NOT is_default OR monthly_price = 0),
  created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plans_name_key ON plans (lower(name));
CREATE UNIQUE INDEX plans_one_default ON plans ((true)) WHERE is_default;
CREATE INDEX plans_created_by_idx ON plans (created_by);
INSERT INTO plans (name, monthly_price, is_default) VALUES ('Free', 0, true);

ALTER TABLE fee_rules
  ADD COLUMN plan_id uuid REFERENCES plans (id) ON DELETE CASCADE,
  ADD COLUMN starts_at timestamptz NOT NULL DEFAULT now(),
  -- A provider's override ended from `starts_at`: their plan's rule applies again.
  ADD COLUMN removes boolean NOT NULL DEFAULT false;
ALTER TABLE fee_rules DROP CONSTRAINT fee_rules_provider_id_key;
DROP INDEX fee_rules_platform_once;
DROP TRIGGER fee_rules_updated_at ON fee_rules;
-- The old platform rule becomes the free plan's first version; rules already set have been in
-- force since they were last saved.
UPDATE fee_rules SET plan_id = (SELECT id FROM plans WHERE is_default) WHERE provider_id IS NULL;
UPDATE fee_rules SET starts_at = updated_at;
ALTER TABLE fee_rules
  ADD CONSTRAINT fee_rules_one_scope CHECK ((plan_id IS NULL) <> (provider_id IS NULL)),
  ADD CONSTRAINT fee_rules_removes_overrides CHECK (NOT removes OR provider_id IS NOT NULL);
CREATE INDEX fee_rules_plan_idx ON fee_rules (plan_id, starts_at DESC);
CREATE INDEX fee_rules_provider_idx ON fee_rules (provider_id, starts_at DESC);

CREATE FUNCTION larder_fee_rules_versioned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.percent, NEW.fixed, NEW.minimum, NEW.maximum, NEW.starts_at, NEW.plan_id,
      NEW.provider_id, NEW.removes)
     IS DISTINCT FROM
     (OLD.percent, OLD.fixed, OLD.minimum, OLD.maximum, OLD.starts_at, OLD.plan_id,
      OLD.provider_id, OLD.removes) THEN
    RAISE EXCEPTION 'fee rules are versioned: add a new version instead of editing one';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fee_rules_versioned BEFORE UPDATE ON fee_rules
  FOR EACH ROW EXECUTE FUNCTION larder_fee_rules_versioned();

-- Which plan a provider is on, as history: the latest row started by a moment is the plan at
-- that moment (no row: the default plan). A downgrade at the period's end is a row whose start
-- is still ahead.
CREATE TABLE provider_plans (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  plan_id     uuid NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
  starts_at   timestamptz NOT NULL,
  reason      text NOT NULL CHECK (reason IN ('upgrade', 'downgrade', 'grace_ended', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_plans_provider_idx ON provider_plans (provider_id, starts_at DESC);
CREATE INDEX provider_plans_plan_idx ON provider_plans (plan_id);

-- A provider's Stripe subscription to a paid plan; our row's id names every Stripe request.
CREATE TABLE plan_subscriptions (
  id                  uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id         uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  plan_id             uuid NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
  status              text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'active', 'past_due', 'cancelled', 'abandoned')),
  checkout_session    text UNIQUE,
  stripe_subscription text UNIQUE,
  stripe_customer     text,
  period_end          timestamptz,
  cancel_at           timestamptz,
  grace_until         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plan_subscriptions_one_live ON plan_subscriptions (provider_id)
  WHERE status IN ('active', 'past_due');
CREATE INDEX plan_subscriptions_provider_idx ON plan_subscriptions (provider_id, created_at DESC);
CREATE INDEX plan_subscriptions_plan_idx ON plan_subscriptions (plan_id);
CREATE INDEX plan_subscriptions_grace_idx ON plan_subscriptions (grace_until) WHERE status = 'past_due';
CREATE TRIGGER plan_subscriptions_updated_at BEFORE UPDATE ON plan_subscriptions
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
