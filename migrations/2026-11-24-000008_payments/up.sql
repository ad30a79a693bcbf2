CREATE TABLE payments (
  id                  uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  invoice_id          uuid NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
  -- The paying business, kept here so tenant-scoped payment queries need no join.
  business_id         uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  amount              numeric(12, 2) NOT NULL CHECK (amount > 0),
  currency            text NOT NULL DEFAULT 'gbp' CHECK (currency = 'gbp'),
  gateway             text NOT NULL CHECK (gateway IN ('stripe', 'test')),
  status              text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'succeeded', 'failed', 'expired')),
  checkout_session_id text UNIQUE,
  checkout_url        text,
  payment_intent_id   text,
  failure_reason      text CHECK (failure_reason IS NULL OR length(failure_reason) <= 500),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz
);
CREATE INDEX payments_invoice_status_idx ON payments (invoice_id, status);
CREATE INDEX payments_business_created_idx ON payments (business_id, created_at DESC);
-- At most one succeeded payment per invoice: the last line of defence against double-paying.
CREATE UNIQUE INDEX payments_one_success_per_invoice ON payments (invoice_id) WHERE status = 'succeeded';
CREATE TRIGGER payments_updated_at BEFORE UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- Webhook idempotency: an event id is stored in the transaction that applies it.
CREATE TABLE stripe_events (
  id          text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
  event_type  text NOT NULL,
  payload     jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_events_received_at_idx ON stripe_events (received_at);
