-- Single-use password reset tokens; only a SHA-256 of the token is stored.
CREATE TABLE password_reset_tokens (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);

-- Login attempts, for throttling by account and by client address.
CREATE TABLE login_attempts (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  email_lower text NOT NULL CHECK (length(email_lower) <= 320),
  ip          text NOT NULL CHECK (length(ip) <= 64),
  succeeded   boolean NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_created_idx ON login_attempts (email_lower, created_at DESC);
CREATE INDEX login_attempts_ip_created_idx ON login_attempts (ip, created_at DESC);

-- Who suspended or re-activated what, and when.
CREATE TABLE status_changes (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  entity_type text NOT NULL CHECK (entity_type IN ('user', 'business', 'provider')),
  entity_id   uuid NOT NULL,
  new_status  text NOT NULL CHECK (new_status IN ('pending', 'active', 'suspended')),
  changed_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_changes_entity_idx ON status_changes (entity_type, entity_id, created_at DESC);
CREATE INDEX status_changes_changed_by_idx ON status_changes (changed_by);
