-- Date-range reads of money at scale: the dashboard's GMV and fee revenue per week, the trial
-- balance, and the monthly fee invoicing's search for fees not yet invoiced.
CREATE INDEX invoices_issued_at_idx ON invoices (issued_at) WHERE issued_at IS NOT NULL;
CREATE INDEX journal_entries_occurred_idx ON journal_entries (occurred_at);
CREATE INDEX journal_entries_fee_idx ON journal_entries (occurred_at)
  WHERE kind IN ('platform_fee', 'fee_refunded');
