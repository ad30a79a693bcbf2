-- Two-step verification (TOTP, RFC 6238). The secret being set up waits in
-- `mfa_pending_secret` until a code from it is typed; `mfa_last_step` is the newest time
-- step a code was accepted for, so a code can't be replayed. Recovery codes are stored as
-- hashes and each works once. Failed codes are counted for throttling.
ALTER TABLE users
  ADD COLUMN mfa_secret         bytea CHECK (mfa_secret IS NULL OR length(mfa_secret) >= 20),
  ADD COLUMN mfa_pending_secret bytea CHECK (mfa_pending_secret IS NULL OR length(mfa_pending_secret) >= 20),
  ADD COLUMN mfa_enabled_at     timestamptz,
  ADD COLUMN mfa_last_step      bigint,
  ADD CONSTRAINT users_mfa_enabled CHECK ((mfa_secret IS NULL) = (mfa_enabled_at IS NULL));

CREATE TABLE mfa_recovery_codes (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, code_hash)
);

CREATE TABLE mfa_failures (
  id         uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mfa_failures_user_created_idx ON mfa_failures (user_id, created_at DESC);
