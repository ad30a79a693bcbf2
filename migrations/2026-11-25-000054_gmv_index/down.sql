DROP INDEX invoices_issued_at_idx;
CREATE INDEX invoices_issued_at_idx ON invoices (issued_at) WHERE issued_at IS NOT NULL;
