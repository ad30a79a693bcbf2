-- Auto-pay: a business may have its issued invoices charged to its default card on their due
-- date; failed tries are retried 1, 3 and 5 days later.
ALTER TABLE businesses ADD COLUMN autopay boolean NOT NULL DEFAULT false;
ALTER TABLE payments ADD COLUMN autopay boolean NOT NULL DEFAULT false;
CREATE INDEX payments_autopay_idx ON payments (invoice_id) WHERE autopay;
