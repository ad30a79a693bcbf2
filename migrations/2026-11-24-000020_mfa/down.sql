DROP TABLE mfa_failures;
DROP TABLE mfa_recovery_codes;
ALTER TABLE users DROP CONSTRAINT users_mfa_enabled,
  DROP COLUMN mfa_secret, DROP COLUMN mfa_pending_secret, DROP COLUMN mfa_enabled_at,
  DROP COLUMN mfa_last_step;
