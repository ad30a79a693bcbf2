CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
  password_hash text NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  account_type  text NOT NULL CHECK (account_type IN ('buyer', 'provider', 'admin')),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  -- Bumped to invalidate every session cookie of this user at once.
  session_epoch integer NOT NULL DEFAULT 0 CHECK (session_epoch >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails are unique whatever their case; lookups use lower(email) too.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_account_type_created_idx ON users (account_type, created_at);
CREATE INDEX users_status_idx ON users (status);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
