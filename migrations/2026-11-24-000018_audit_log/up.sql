-- The audit log: append-only, written in the transaction of the change it records. Rows
-- name their actor and organisation by id without foreign keys, so no later delete can
-- rewrite history through ON DELETE; the trigger refuses every UPDATE, DELETE and TRUNCATE,
-- whoever asks.
CREATE TABLE audit_log (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  at           timestamptz NOT NULL DEFAULT now(),
  actor_id     uuid,
  actor_email  text CHECK (actor_email IS NULL OR length(actor_email) <= 254),
  business_id  uuid,
  provider_id  uuid,
  action       text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
  target_type  text NOT NULL CHECK (length(target_type) BETWEEN 1 AND 40),
  target_id    uuid,
  before       jsonb,
  after        jsonb,
  ip           text CHECK (ip IS NULL OR length(ip) <= 64),
  request_id   text CHECK (request_id IS NULL OR length(request_id) <= 64)
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_business_idx ON audit_log (business_id, at DESC) WHERE business_id IS NOT NULL;
CREATE INDEX audit_log_provider_idx ON audit_log (provider_id, at DESC) WHERE provider_id IS NOT NULL;
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
