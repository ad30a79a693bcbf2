-- A business's favourite providers and products: a shortlist shared by its team, used to
-- filter discovery and catalogues.
CREATE TABLE favourite_providers (
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, provider_id)
);
CREATE INDEX favourite_providers_provider_idx ON favourite_providers (provider_id);

CREATE TABLE favourite_products (
  business_id uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, product_id)
);
CREATE INDEX favourite_products_product_idx ON favourite_products (product_id);
