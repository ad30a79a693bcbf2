-- Sessions as rows: the encrypted cookie names a random token (stored here only as a hash),
-- so a person can see where they are logged in and end any one of them, and logging out
-- ends the session on the server (a copied cookie stops working). A row belongs to the
-- epoch it was made in: bumping the user's epoch (password change, "log out everywhere",
-- suspension) ends every row at once.
CREATE TABLE user_sessions (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  token_hash   bytea NOT NULL UNIQUE,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  epoch        integer NOT NULL,
  ip           text CHECK (ip IS NULL OR length(ip) <= 64),
  user_agent   text CHECK (user_agent IS NULL OR length(user_agent) <= 300),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id, last_seen_at DESC);
