CREATE TABLE products (
  id            uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id   uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  sku           text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  category      text NOT NULL CHECK (category IN ('fruit_veg', 'meat_poultry', 'fish_seafood', 'dairy_eggs',
                  'bakery', 'dry_goods', 'drinks', 'frozen', 'cleaning_disposables')),
  -- Selling unit ("kg", "each", "case") and what one unit holds ("case of 12 × 1 L").
  unit          text NOT NULL CHECK (length(unit) BETWEEN 1 AND 30),
  pack_size     text NOT NULL DEFAULT '' CHECK (length(pack_size) <= 60),
  -- Whether quantities may be fractional (kg) or must be whole (cases, each).
  fractional    boolean NOT NULL DEFAULT false,
  price         numeric(12, 2) NOT NULL CHECK (price >= 0.01),
  vat_rate      numeric(5, 2) NOT NULL CHECK (vat_rate IN (0, 5, 20)),
  in_stock      boolean NOT NULL DEFAULT true,
  active        boolean NOT NULL DEFAULT true,
  search_vector tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('english', name), 'A') ||
                  setweight(to_tsvector('english', description), 'C')) STORED,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider_id, sku)
);
-- The (provider_id, sku) unique index also serves the foreign key.
CREATE INDEX products_provider_category_name_idx ON products (provider_id, category, lower(name));
CREATE INDEX products_search_idx ON products USING gin (search_vector);
CREATE TRIGGER products_updated_at BEFORE UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
