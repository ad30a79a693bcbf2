-- One open cart per business and provider, kept in the database so it survives logout
-- and is shared by the business's users.
CREATE TABLE carts (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, provider_id)
);
CREATE INDEX carts_provider_id_idx ON carts (provider_id);
CREATE TRIGGER carts_updated_at BEFORE UPDATE ON carts
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

CREATE TABLE cart_items (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  cart_id    uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  quantity   numeric(10, 3) NOT NULL CHECK (quantity > 0 AND quantity <= 100000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cart_id, product_id)
);
CREATE INDEX cart_items_product_id_idx ON cart_items (product_id);
CREATE TRIGGER cart_items_updated_at BEFORE UPDATE ON cart_items
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
