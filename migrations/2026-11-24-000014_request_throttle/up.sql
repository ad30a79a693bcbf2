-- Requests that send email or make accounts, per client address, so one address can't
-- flood inboxes with reset links or fill the database with sign-ups.
CREATE TABLE throttled_requests (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  action     text NOT NULL CHECK (action IN ('signup', 'password_reset')),
  client     text NOT NULL CHECK (length(client) <= 64),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX throttled_requests_action_client_idx
  ON throttled_requests (action, client, created_at DESC);
