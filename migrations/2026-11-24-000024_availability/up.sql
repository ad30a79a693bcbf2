-- Where, when and how a provider delivers. Times are Europe/London wall-clock times; the
-- application turns them into instants, right across the clock changes.
CREATE TABLE delivery_zones (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id       uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  -- Outcode prefixes ("SE1", "E"); the most specific match wins when zones overlap.
  areas             text[] NOT NULL CHECK (cardinality(areas) BETWEEN 1 AND 200),
  -- ISO weekdays, 1 = Monday.
  days              smallint[] NOT NULL CHECK (cardinality(days) BETWEEN 1 AND 7),
  min_order_value   numeric(12, 2) NOT NULL DEFAULT 0 CHECK (min_order_value >= 0),
  -- Net of VAT; invoiced as its own line at the standard rate.
  delivery_charge   numeric(12, 2) NOT NULL DEFAULT 0 CHECK (delivery_charge >= 0 AND delivery_charge <= 1000),
  -- Order by `cutoff` London time, `lead_days` days before the delivery day (0 = that day).
  lead_days         smallint NOT NULL DEFAULT 1 CHECK (lead_days BETWEEN 0 AND 14),
  cutoff            time NOT NULL DEFAULT '14:00',
  max_orders_per_day    integer CHECK (max_orders_per_day > 0),
  max_orders_per_window integer CHECK (max_orders_per_window > 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_zones_provider_idx ON delivery_zones (provider_id);
CREATE TRIGGER delivery_zones_updated_at BEFORE UPDATE ON delivery_zones
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

-- A zone's delivery windows per weekday. A delivery day with no windows means "during the day".
CREATE TABLE delivery_windows (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  zone_id     uuid NOT NULL REFERENCES delivery_zones (id) ON DELETE CASCADE,
  weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  starts      time NOT NULL,
  ends        time NOT NULL,
  CHECK (ends > starts),
  UNIQUE (zone_id, weekday, starts)
);

-- Days a provider does not deliver at all (bank holidays, Christmas), inclusive.
CREATE TABLE provider_closures (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
  starts_on   date NOT NULL,
  ends_on     date NOT NULL,
  message     text NOT NULL DEFAULT '' CHECK (length(message) <= 300),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX provider_closures_provider_idx ON provider_closures (provider_id, ends_on);

-- What the order was promised: the zone, the window, the cut-off it beat, and the zone's
-- delivery charge (net) at the time.
ALTER TABLE orders
  ADD COLUMN delivery_zone_id uuid REFERENCES delivery_zones (id) ON DELETE SET NULL,
  ADD COLUMN window_start     time,
  ADD COLUMN window_end       time,
  ADD COLUMN cutoff_at        timestamptz,
  ADD COLUMN delivery_charge  numeric(12, 2) NOT NULL DEFAULT 0 CHECK (delivery_charge >= 0);
CREATE INDEX orders_zone_day_idx ON orders (delivery_zone_id, requested_delivery_date)
  WHERE delivery_zone_id IS NOT NULL;

-- Every existing provider keeps exactly what it offered: one zone over its areas and days,
-- same-day orders until noon (the rule checkout applied so far).
INSERT INTO delivery_zones (provider_id, name, areas, days, min_order_value, lead_days, cutoff)
SELECT id, 'Main delivery area', delivery_areas, delivery_days, min_order_value, 0, '12:00'
FROM providers
WHERE cardinality(delivery_areas) > 0 AND cardinality(delivery_days) > 0;
