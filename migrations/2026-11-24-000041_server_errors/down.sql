DROP INDEX payments_created_idx;
DROP INDEX jobs_failed_idx;
DROP TABLE server_errors;
