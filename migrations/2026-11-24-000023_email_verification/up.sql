-- A buyer's email address is confirmed (a link sent to it, opened) before their first
-- order. Accounts made before this change were using their addresses already and count as
-- confirmed; a changed address needs confirming again.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;

CREATE TABLE email_verifications (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email      text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_verifications_user_created_idx ON email_verifications (user_id, created_at DESC);
