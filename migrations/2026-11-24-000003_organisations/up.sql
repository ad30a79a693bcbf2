-- Buyer organisations.
CREATE TABLE businesses (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  vat_number text CHECK (vat_number IS NULL OR length(vat_number) BETWEEN 4 AND 20),
  status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX businesses_name_idx ON businesses (lower(name));
CREATE INDEX businesses_status_idx ON businesses (status);
CREATE TRIGGER businesses_updated_at BEFORE UPDATE ON businesses
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

CREATE TABLE locations (
  id             uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  business_id    uuid NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
  label          text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
  address_line1  text NOT NULL CHECK (length(address_line1) BETWEEN 1 AND 120),
  address_line2  text CHECK (address_line2 IS NULL OR length(address_line2) <= 120),
  city           text NOT NULL CHECK (length(city) BETWEEN 1 AND 80),
  -- Normalised UK postcode ("SE1 7PB") and its outward code ("SE1") used for delivery areas.
  postcode       text NOT NULL CHECK (postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'),
  outcode        text NOT NULL CHECK (outcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]?$'),
  delivery_notes text CHECK (delivery_notes IS NULL OR length(delivery_notes) <= 500),
  is_default     boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (split_part(postcode, ' ', 1) = outcode)
);
CREATE INDEX locations_business_id_idx ON locations (business_id);
CREATE INDEX locations_outcode_idx ON locations (outcode);
-- At most one default location per business.
CREATE UNIQUE INDEX locations_one_default_per_business ON locations (business_id) WHERE is_default;
CREATE TRIGGER locations_updated_at BEFORE UPDATE ON locations
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- Sellers.
CREATE TABLE providers (
  id                 uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  slug               text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  description        text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  categories         text[] NOT NULL DEFAULT '{}'
                     CHECK (categories <@ ARRAY['fruit_veg', 'meat_poultry', 'fish_seafood', 'dairy_eggs',
                       'bakery', 'dry_goods', 'drinks', 'frozen', 'cleaning_disposables']::text[]),
  contact_email      text NOT NULL CHECK (length(contact_email) BETWEEN 3 AND 254),
  contact_phone      text CHECK (contact_phone IS NULL OR length(contact_phone) <= 30),
  address            text CHECK (address IS NULL OR length(address) <= 300),
  vat_number         text CHECK (vat_number IS NULL OR length(vat_number) BETWEEN 4 AND 20),
  min_order_value    numeric(12, 2) NOT NULL DEFAULT 0 CHECK (min_order_value >= 0),
  -- ISO weekdays (1 = Monday … 7 = Sunday) on which the provider delivers.
  delivery_days      smallint[] NOT NULL DEFAULT '{1,2,3,4,5}' CHECK (delivery_days <@ '{1,2,3,4,5,6,7}'::smallint[]),
  -- Outcode prefixes served ("SE1", "E", "N1"); empty means no delivery area set yet.
  delivery_areas     text[] NOT NULL DEFAULT '{}',
  payment_terms_days integer NOT NULL DEFAULT 14 CHECK (payment_terms_days BETWEEN 0 AND 120),
  -- Prefix of invoice numbers ("SMF" gives SMF-000042).
  invoice_prefix     text NOT NULL CHECK (invoice_prefix ~ '^[A-Z0-9]{2,6}$'),
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'suspended')),
  search_vector      tsvector GENERATED ALWAYS AS (
                       setweight(to_tsvector('english', name), 'A') ||
                       setweight(to_tsvector('english', description), 'C')) STORED,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX providers_status_name_idx ON providers (status, lower(name));
CREATE INDEX providers_categories_idx ON providers USING gin (categories);
CREATE INDEX providers_search_idx ON providers USING gin (search_vector);
CREATE TRIGGER providers_updated_at BEFORE UPDATE ON providers
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- A user's place in exactly one organisation (a business or a provider).
CREATE TABLE memberships (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  business_id uuid REFERENCES businesses (id) ON DELETE CASCADE,
  provider_id uuid REFERENCES providers (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('owner', 'manager', 'orderer', 'viewer', 'staff')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(business_id, provider_id) = 1),
  CHECK (business_id IS NULL OR role IN ('owner', 'manager', 'orderer', 'viewer')),
  CHECK (provider_id IS NULL OR role IN ('owner', 'manager', 'staff'))
);
CREATE UNIQUE INDEX memberships_user_business_key ON memberships (user_id, business_id) WHERE business_id IS NOT NULL;
CREATE UNIQUE INDEX memberships_user_provider_key ON memberships (user_id, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX memberships_user_id_idx ON memberships (user_id);
CREATE INDEX memberships_business_id_idx ON memberships (business_id);
CREATE INDEX memberships_provider_id_idx ON memberships (provider_id);
