-- Background jobs, claimed with FOR UPDATE SKIP LOCKED so any number of workers run each once.
CREATE TABLE jobs (
  id           uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 80),
  payload      jsonb NOT NULL DEFAULT '{}',
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  run_at       timestamptz NOT NULL DEFAULT now(),
  locked_at    timestamptz,
  locked_by    text,
  last_error   text,
  -- Optional: enqueueing the same key twice keeps one job.
  dedup_key    text UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX jobs_ready_idx ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_status_finished_idx ON jobs (status, finished_at);
