-- UUID v7 keys (time-ordered, so B-tree inserts stay append-mostly). PostgreSQL 15 has no
-- built-in v7; the app generates them too, this default keeps SQL-side inserts (seeds) consistent.
CREATE FUNCTION larder_uuid_v7() RETURNS uuid AS $$
  SELECT encode(
    set_bit(
      set_bit(
        overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6),
        52, 1),
      53, 1),
    'hex')::uuid;
$$ LANGUAGE sql VOLATILE;

CREATE FUNCTION larder_set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
