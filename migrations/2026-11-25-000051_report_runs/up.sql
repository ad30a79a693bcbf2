-- Finance exports run as background jobs: the request only queues one, the worker fills in
-- progress as it goes and keeps the finished file for download.
CREATE TABLE report_runs (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  -- NULL: the platform's own (admins'); otherwise the provider whose export it is.
  provider_id  uuid REFERENCES providers (id) ON DELETE CASCADE,
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  kind         text NOT NULL CHECK (kind IN ('sales_invoices', 'credit_notes', 'payouts', 'fee_invoices')),
  format       text NOT NULL CHECK (format IN ('xero', 'quickbooks')),
  from_date    date NOT NULL,
  to_date      date NOT NULL CHECK (to_date >= from_date AND to_date - from_date < 366),
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  done_rows    integer NOT NULL DEFAULT 0 CHECK (done_rows >= 0),
  total_rows   integer CHECK (total_rows >= 0),
  content      text,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  CHECK ((status = 'done') = (content IS NOT NULL))
);
CREATE INDEX report_runs_provider_idx ON report_runs (provider_id, created_at DESC);
CREATE INDEX report_runs_requested_by_idx ON report_runs (requested_by);
-- The platform's fee invoices by date, as its export reads them (providers' invoices, credit
-- notes and payouts have theirs already).
CREATE INDEX fee_invoices_issue_date_idx ON fee_invoices (issue_date, id);
