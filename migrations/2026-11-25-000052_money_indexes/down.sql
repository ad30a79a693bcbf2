DROP INDEX journal_entries_fee_idx;
DROP INDEX journal_entries_occurred_idx;
DROP INDEX invoices_issued_at_idx;
