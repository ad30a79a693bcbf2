-- In-app notices, one row per person told: the bell counts the unread ones. Written by the
-- same after-change code that queues the email, to the same people (the recipient rule).
CREATE TABLE notifications (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
  title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body       text NOT NULL DEFAULT '' CHECK (length(body) <= 500),
  -- A path inside Larder, never another site.
  link       text NOT NULL CHECK (link LIKE '/%' AND link NOT LIKE '//%' AND length(link) <= 300),
  -- A replayed change tells nobody twice.
  dedup_key  text NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 300),
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  UNIQUE (user_id, dedup_key)
);
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
