DROP TABLE status_changes;
DROP TABLE login_attempts;
DROP TABLE password_reset_tokens;
