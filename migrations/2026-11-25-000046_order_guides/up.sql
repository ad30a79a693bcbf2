-- A location's order guide is built from its order history; this table keeps only what the
-- buyer said about it: par levels, products added by hand, and products pruned away.
CREATE TABLE guide_items (
  location_id uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
  product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  -- The location's business, so every read is scoped by the session's organisation.
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  -- What the kitchen wants on the shelf after a delivery, in the product's unit of sale.
  par         numeric(12, 3) CHECK (par IS NULL OR (par >= 0 AND par <= 10000)),
  -- Added from a catalogue: on the guide without any history.
  pinned      boolean NOT NULL DEFAULT false,
  -- Pruned: off the guide, whatever the history says, until put back.
  hidden      boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, product_id)
);
CREATE INDEX guide_items_product_idx ON guide_items (product_id);
CREATE INDEX guide_items_business_idx ON guide_items (business_id);

-- The guide reads a location's recent orders.
CREATE INDEX orders_location_created_idx ON orders (location_id, created_at DESC);
