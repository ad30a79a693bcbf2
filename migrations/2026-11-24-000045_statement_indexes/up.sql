-- A provider's monthly statement reads one month of its invoices, credit notes and payouts
-- by date: each in an index range, however long the provider's history.
CREATE INDEX invoices_provider_issue_date_idx ON invoices (provider_id, issue_date)
  WHERE issue_date IS NOT NULL;
CREATE INDEX credit_notes_provider_issue_date_idx ON credit_notes (provider_id, issue_date);
CREATE INDEX payouts_provider_arrival_idx ON payouts (provider_id, arrival_date);
