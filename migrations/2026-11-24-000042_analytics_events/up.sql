-- Product analytics: one row per thing that happened, written in the transaction that made
-- it happen, so the funnel never counts an order that rolled back.
CREATE TABLE analytics_events (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('signup', 'business_added', 'first_cart', 'order_placed',
                                            'order_confirmed', 'invoice_paid', 'standing_order_placed')),
  user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
  business_id uuid REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id uuid REFERENCES providers (id) ON DELETE CASCADE,
  -- The order or invoice it is about.
  subject_id  uuid,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analytics_events_kind_at_idx ON analytics_events (kind, occurred_at);
CREATE INDEX analytics_events_user_idx ON analytics_events (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX analytics_events_business_idx ON analytics_events (business_id, kind) WHERE business_id IS NOT NULL;
CREATE INDEX analytics_events_provider_idx ON analytics_events (provider_id) WHERE provider_id IS NOT NULL;
-- Replays count once: per subject, and first carts once per business.
CREATE UNIQUE INDEX analytics_events_once_per_subject ON analytics_events (kind, subject_id)
  WHERE subject_id IS NOT NULL;
CREATE UNIQUE INDEX analytics_events_first_cart_once ON analytics_events (business_id)
  WHERE kind = 'first_cart';

-- What already happened, so the page starts with history: buyers' sign-ups and businesses,
-- orders sent to providers (not those awaiting or refused approval), confirmations and paid
-- invoices. First carts leave no trace to recover.
INSERT INTO analytics_events (kind, user_id, business_id, occurred_at)
SELECT DISTINCT ON (m.business_id) 'signup', m.user_id, m.business_id, u.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.business_id IS NOT NULL AND m.role = 'owner'
ORDER BY m.business_id, m.created_at;
INSERT INTO analytics_events (kind, business_id, occurred_at)
SELECT 'business_added', id, created_at FROM businesses;
INSERT INTO analytics_events (kind, user_id, business_id, provider_id, subject_id, occurred_at)
SELECT DISTINCT ON (e.order_id) 'order_placed', o.placed_by, o.business_id, o.provider_id, o.id, e.created_at
FROM order_events e JOIN orders o ON o.id = e.order_id
WHERE e.status IN ('submitted', 'approved')
ORDER BY e.order_id, e.created_at;
INSERT INTO analytics_events (kind, business_id, provider_id, subject_id, occurred_at)
SELECT DISTINCT ON (e.order_id) 'order_confirmed', o.business_id, o.provider_id, o.id, e.created_at
FROM order_events e JOIN orders o ON o.id = e.order_id
WHERE e.status = 'confirmed'
ORDER BY e.order_id, e.created_at;
INSERT INTO analytics_events (kind, business_id, provider_id, subject_id, occurred_at)
SELECT 'invoice_paid', business_id, provider_id, id, paid_at FROM invoices WHERE paid_at IS NOT NULL;
