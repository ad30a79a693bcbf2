-- Discovery asks "delivery_areas && ARRAY[areas covering the buyer's outcode]".
CREATE INDEX providers_delivery_areas_idx ON providers USING gin (delivery_areas);
CREATE INDEX providers_min_order_idx ON providers (min_order_value);

-- The buyer-facing catalogue reads active products of one provider by category and name.
CREATE INDEX products_provider_active_idx ON products (provider_id, category, lower(name)) WHERE active;

-- A parsed CSV upload waiting for the provider to look at the preview and apply it.
-- Applying reads exactly these rows, so the preview is what gets written.
CREATE TABLE catalog_imports (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  file_name   text NOT NULL CHECK (length(file_name) <= 255),
  rows        jsonb NOT NULL,
  row_count   integer NOT NULL CHECK (row_count >= 0),
  applied_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_imports_provider_created_idx ON catalog_imports (provider_id, created_at DESC);
