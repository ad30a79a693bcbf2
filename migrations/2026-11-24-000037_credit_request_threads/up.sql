-- The conversation on a credit request (buyer, provider and, once escalated, Larder's team),
-- and the photos posted in it. Photo bytes live outside the web root; rows say whose they are.
CREATE TABLE credit_request_messages (
  id              uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  request_id      uuid NOT NULL REFERENCES credit_requests (id) ON DELETE CASCADE,
  author_id       uuid REFERENCES users (id) ON DELETE SET NULL,
  side            text NOT NULL CHECK (side IN ('buyer', 'provider', 'admin')),
  body            text NOT NULL CHECK (length(body) <= 2000),
  -- The form's key: a double click posts once.
  idempotency_key uuid NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_request_messages_request_idx ON credit_request_messages (request_id, created_at);
CREATE INDEX credit_request_messages_author_idx ON credit_request_messages (author_id) WHERE author_id IS NOT NULL;

CREATE TABLE credit_request_photos (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  request_id   uuid NOT NULL REFERENCES credit_requests (id) ON DELETE CASCADE,
  message_id   uuid NOT NULL REFERENCES credit_request_messages (id) ON DELETE CASCADE,
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
  size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
  sha256       text NOT NULL CHECK (length(sha256) = 64),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_request_photos_request_idx ON credit_request_photos (request_id);
CREATE INDEX credit_request_photos_message_idx ON credit_request_photos (message_id);
