-- Server errors (5xx) as the admin health page lists them, from every instance. Kept 30 days.
CREATE TABLE server_errors (
  id          bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  method      text NOT NULL CHECK (length(method) BETWEEN 1 AND 10),
  -- The route pattern ("/orders/{id}"), never the raw path with its ids and query.
  route       text NOT NULL CHECK (length(route) BETWEEN 1 AND 200),
  status      smallint NOT NULL CHECK (status BETWEEN 500 AND 599),
  request_id  text NOT NULL CHECK (length(request_id) <= 64)
);
CREATE INDEX server_errors_occurred_idx ON server_errors (occurred_at DESC);
-- Failed jobs, newest first, for the health page's list and retry buttons.
CREATE INDEX jobs_failed_idx ON jobs (finished_at DESC) WHERE status = 'failed';
-- The health page's payment failure rate over the last day.
CREATE INDEX payments_created_idx ON payments (created_at);
