DROP INDEX fee_invoices_issue_date_idx;
DROP TABLE report_runs;
