-- Standing orders: the same order again on a schedule, placed by the worker through the same
-- submit rules as a person.
CREATE TABLE standing_orders (
  id            uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id   uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id   uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  -- Addresses are archived, never deleted, while anything points at them.
  location_id   uuid NOT NULL REFERENCES locations (id) ON DELETE RESTRICT,
  -- Whose limits and approvals apply, and who the orders are placed by.
  created_by    uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  -- ISO weekdays, 1 = Monday.
  weekdays      smallint[] NOT NULL CHECK (cardinality(weekdays) BETWEEN 1 AND 7),
  every_weeks   smallint NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 8),
  starts_on     date NOT NULL,
  ends_on       date CHECK (ends_on IS NULL OR ends_on >= starts_on),
  -- No occurrences before this date.
  paused_until  date,
  -- The preferred delivery window, by its start time that weekday.
  window_start  time,
  notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
  ended_at      timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX standing_orders_business_idx ON standing_orders (business_id);
CREATE INDEX standing_orders_location_idx ON standing_orders (location_id);
CREATE INDEX standing_orders_created_by_idx ON standing_orders (created_by);
CREATE INDEX standing_orders_live_idx ON standing_orders (provider_id) WHERE ended_at IS NULL;
CREATE TRIGGER standing_orders_updated_at BEFORE UPDATE ON standing_orders
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

CREATE TABLE standing_order_lines (
  standing_order_id uuid NOT NULL REFERENCES standing_orders (id) ON DELETE CASCADE,
  product_id        uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  quantity          numeric(12, 3) NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (standing_order_id, product_id)
);
CREATE INDEX standing_order_lines_product_idx ON standing_order_lines (product_id);

-- Each delivery date of a standing order is decided once: placed, skipped by the buyer,
-- skipped for a closure, or refused (with why). The unique key is what makes two workers
-- racing over the same due occurrence create one order.
CREATE TABLE standing_order_occurrences (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  standing_order_id uuid NOT NULL REFERENCES standing_orders (id) ON DELETE CASCADE,
  delivery_date     date NOT NULL,
  outcome           text NOT NULL CHECK (outcome IN ('placed', 'skipped', 'closed', 'refused')),
  order_id          uuid REFERENCES orders (id) ON DELETE SET NULL,
  note              text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (standing_order_id, delivery_date)
);
CREATE INDEX standing_order_occurrences_order_idx ON standing_order_occurrences (order_id)
  WHERE order_id IS NOT NULL;

ALTER TABLE orders ADD COLUMN standing_order_id uuid REFERENCES standing_orders (id) ON DELETE SET NULL;
CREATE INDEX orders_standing_idx ON orders (standing_order_id) WHERE standing_order_id IS NOT NULL;
