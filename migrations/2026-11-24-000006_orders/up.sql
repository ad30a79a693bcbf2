-- Human order numbers ("LD-000123"); unique, not necessarily gap-free.
CREATE SEQUENCE order_number_seq;

CREATE TABLE orders (
  id                      uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  number                  text NOT NULL UNIQUE DEFAULT 'LD-' || lpad(nextval('order_number_seq')::text, 6, '0'),
  business_id             uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  location_id             uuid NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,
  provider_id             uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  placed_by               uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  status                  text NOT NULL DEFAULT 'submitted'
                          CHECK (status IN ('submitted', 'confirmed', 'rejected', 'cancelled',
                                            'out_for_delivery', 'delivered')),
  requested_delivery_date date NOT NULL,
  -- The address as it was when ordered; editing a location later must not move old orders.
  delivery_address        text NOT NULL CHECK (length(delivery_address) <= 500),
  notes                   text NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
  rejection_reason        text CHECK (rejection_reason IS NULL OR length(rejection_reason) <= 500),
  subtotal                numeric(12, 2) NOT NULL CHECK (subtotal >= 0),
  vat_total               numeric(12, 2) NOT NULL CHECK (vat_total >= 0),
  total                   numeric(12, 2) NOT NULL CHECK (total >= 0),
  -- Generated with the checkout form; unique per business so a replayed submit finds its order
  -- and one business can never land on another's.
  idempotency_key         uuid NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (total = subtotal + vat_total),
  CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
  UNIQUE (business_id, idempotency_key)
);
CREATE INDEX orders_business_created_idx ON orders (business_id, created_at DESC);
CREATE INDEX orders_business_status_created_idx ON orders (business_id, status, created_at DESC);
CREATE INDEX orders_provider_created_idx ON orders (provider_id, created_at DESC);
CREATE INDEX orders_provider_status_created_idx ON orders (provider_id, status, created_at DESC);
CREATE INDEX orders_location_id_idx ON orders (location_id);
CREATE INDEX orders_placed_by_idx ON orders (placed_by);
CREATE TRIGGER orders_updated_at BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- Snapshot of each product at order time: later catalog edits never change an order.
CREATE TABLE order_lines (
  id                 uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  order_id           uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id         uuid REFERENCES products (id) ON DELETE SET NULL,
  position           integer NOT NULL CHECK (position >= 0),
  sku                text NOT NULL,
  product_name       text NOT NULL,
  unit               text NOT NULL,
  pack_size          text NOT NULL DEFAULT '',
  unit_price         numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
  vat_rate           numeric(5, 2) NOT NULL CHECK (vat_rate IN (0, 5, 20)),
  quantity           numeric(10, 3) NOT NULL CHECK (quantity > 0),
  -- Set by the provider at confirmation: less than ordered is a short, 0 is unavailable.
  confirmed_quantity numeric(10, 3) CHECK (confirmed_quantity IS NULL OR
                                           (confirmed_quantity >= 0 AND confirmed_quantity <= quantity)),
  line_total         numeric(12, 2) NOT NULL CHECK (line_total >= 0),
  line_vat           numeric(12, 2) NOT NULL CHECK (line_vat >= 0),
  UNIQUE (order_id, position)
);
CREATE INDEX order_lines_product_id_idx ON order_lines (product_id);

-- The status timeline shown on the order page.
CREATE TABLE order_events (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  order_id   uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  status     text NOT NULL,
  actor_id   uuid REFERENCES users (id) ON DELETE SET NULL,
  note       text CHECK (note IS NULL OR length(note) <= 500),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_created_idx ON order_events (order_id, created_at);
CREATE INDEX order_events_actor_id_idx ON order_events (actor_id);

CREATE TABLE deliveries (
  id             uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  order_id       uuid NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
  status         text NOT NULL DEFAULT 'scheduled'
                 CHECK (status IN ('scheduled', 'out_for_delivery', 'delivered')),
  scheduled_date date NOT NULL,
  window_start   time,
  window_end     time,
  delivered_at   timestamptz,
  received_by    text CHECK (received_by IS NULL OR length(received_by) <= 100),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (window_start IS NULL OR window_end IS NULL OR window_start < window_end),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX deliveries_scheduled_date_idx ON deliveries (scheduled_date);
CREATE TRIGGER deliveries_updated_at BEFORE UPDATE ON deliveries
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
