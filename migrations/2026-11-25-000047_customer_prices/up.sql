-- Customer prices: a provider's price for one buyer business, or for a named group of its
-- buyers, per product, from a start date to an optional end date.
CREATE TABLE buyer_groups (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider_id, name)
);

CREATE TABLE buyer_group_members (
  group_id    uuid NOT NULL REFERENCES buyer_groups (id) ON DELETE CASCADE,
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, business_id)
);
CREATE INDEX buyer_group_members_business_idx ON buyer_group_members (business_id);

CREATE TABLE customer_prices (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  business_id uuid REFERENCES businesses (id) ON DELETE CASCADE,
  group_id    uuid REFERENCES buyer_groups (id) ON DELETE CASCADE,
  price       numeric(12, 2) NOT NULL CHECK (price >= 0.01),
  starts_on   date NOT NULL,
  ends_on     date CHECK (ends_on IS NULL OR ends_on >= starts_on),
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- For one business or for one group, never both.
  CHECK ((business_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX customer_prices_product_idx ON customer_prices (product_id);
CREATE INDEX customer_prices_provider_idx ON customer_prices (provider_id, starts_on DESC);
CREATE INDEX customer_prices_business_idx ON customer_prices (business_id);
CREATE INDEX customer_prices_group_idx ON customer_prices (group_id);

-- Every product with a price of the business's own on a London date. A price for the
-- business itself wins over a group's; then the latest start; then the lower price. One set
-- for a page to join, so a list of thousands of products costs one pass over the buyer's
-- few prices, not a lookup per product.
CREATE FUNCTION larder_customer_prices(business uuid, on_day date)
RETURNS TABLE (product_id uuid, price numeric) LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT DISTINCT ON (cp.product_id) cp.product_id, cp.price
    FROM customer_prices cp
   WHERE cp.starts_on <= on_day AND (cp.ends_on IS NULL OR cp.ends_on >= on_day)
     AND (cp.business_id = business
          OR cp.group_id IN (SELECT m.group_id FROM buyer_group_members m
                              WHERE m.business_id = business))
   ORDER BY cp.product_id, cp.business_id IS NULL, cp.starts_on DESC, cp.price
$$;

-- An order line, and the invoice line made from it, remember that the price was the buyer's
-- own, so both documents can say so.
ALTER TABLE order_lines ADD COLUMN customer_price boolean NOT NULL DEFAULT false;
ALTER TABLE invoice_lines ADD COLUMN customer_price boolean NOT NULL DEFAULT false;
