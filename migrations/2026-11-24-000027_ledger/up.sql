-- A double-entry journal. Each money event writes one entry, in the same transaction as the
-- event, whose lines sum to zero (debits positive, credits negative). The database refuses an
-- unbalanced entry at commit and any change to a written line: corrections are new entries.

CREATE TABLE journal_entries (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  -- invoice_issued, payment_succeeded, platform_fee, transfer, invoice_voided, ...
  kind        text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
  -- What caused it, so an event replayed can never post twice: (kind, source) is unique.
  source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
  invoice_id  uuid REFERENCES invoices (id) ON DELETE RESTRICT,
  payment_id  uuid REFERENCES payments (id) ON DELETE RESTRICT,
  occurred_at timestamptz NOT NULL,
  memo        text NOT NULL DEFAULT '' CHECK (length(memo) <= 500),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, source)
);
CREATE INDEX journal_entries_invoice_idx ON journal_entries (invoice_id);
CREATE INDEX journal_entries_payment_idx ON journal_entries (payment_id);

CREATE TABLE journal_lines (
  id          bigserial PRIMARY KEY,
  entry_id    uuid NOT NULL REFERENCES journal_entries (id) ON DELETE RESTRICT,
  account     text NOT NULL CHECK (account IN (
                'buyer_receivable', 'provider_payable', 'platform_fee_revenue',
                'vat_on_fees', 'stripe_clearing', 'provider_stripe_balance')),
  -- Sub-ledgers: whose receivable or payable this is.
  business_id uuid REFERENCES businesses (id) ON DELETE RESTRICT,
  provider_id uuid REFERENCES providers (id) ON DELETE RESTRICT,
  amount      numeric(12, 2) NOT NULL CHECK (amount <> 0),
  CHECK ((account = 'buyer_receivable') = (business_id IS NOT NULL)),
  CHECK ((account IN ('provider_payable', 'provider_stripe_balance')) = (provider_id IS NOT NULL))
);
CREATE INDEX journal_lines_entry_idx ON journal_lines (entry_id);
CREATE INDEX journal_lines_business_idx ON journal_lines (business_id) WHERE business_id IS NOT NULL;
CREATE INDEX journal_lines_provider_idx ON journal_lines (provider_id) WHERE provider_id IS NOT NULL;

CREATE FUNCTION larder_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  off numeric;
BEGIN
  SELECT coalesce(sum(amount), 0) INTO off FROM journal_lines WHERE entry_id = NEW.entry_id;
  IF off <> 0 THEN
    RAISE EXCEPTION 'journal entry % does not balance (off by %)', NEW.entry_id, off
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
-- Checked at commit, once every line of the entry is in.
CREATE CONSTRAINT TRIGGER journal_lines_balance AFTER INSERT ON journal_lines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION larder_journal_balanced();

CREATE FUNCTION larder_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only: post a correcting entry instead'
    USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION larder_journal_append_only();
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION larder_journal_append_only();

-- Opening entries for what happened before the journal existed, so balances read from it are
-- right from the start. Card money collected before Connect stayed with the platform, so those
-- providers are still owed it (provider_payable), which is the truth.
WITH issued AS (
  INSERT INTO journal_entries (kind, source, invoice_id, occurred_at, memo)
  SELECT 'invoice_issued', id::text, id, coalesce(issued_at, created_at), coalesce(number, '')
    FROM invoices WHERE issued_at IS NOT NULL AND total > 0
  RETURNING id, invoice_id
)
INSERT INTO journal_lines (entry_id, account, business_id, provider_id, amount)
SELECT e.id, 'buyer_receivable', i.business_id, NULL::uuid, i.total FROM issued e JOIN invoices i ON i.id = e.invoice_id
UNION ALL
SELECT e.id, 'provider_payable', NULL::uuid, i.provider_id, -i.total FROM issued e JOIN invoices i ON i.id = e.invoice_id;

WITH voided AS (
  INSERT INTO journal_entries (kind, source, invoice_id, occurred_at, memo)
  SELECT 'invoice_voided', id::text, id, coalesce(voided_at, updated_at), coalesce(void_reason, '')
    FROM invoices WHERE status = 'void' AND issued_at IS NOT NULL AND total > 0
  RETURNING id, invoice_id
)
INSERT INTO journal_lines (entry_id, account, business_id, provider_id, amount)
SELECT e.id, 'provider_payable', NULL::uuid, i.provider_id, i.total FROM voided e JOIN invoices i ON i.id = e.invoice_id
UNION ALL
SELECT e.id, 'buyer_receivable', i.business_id, NULL::uuid, -i.total FROM voided e JOIN invoices i ON i.id = e.invoice_id;

WITH outside AS (
  INSERT INTO journal_entries (kind, source, invoice_id, payment_id, occurred_at)
  SELECT 'paid_outside', id::text, invoice_id, id, coalesce(completed_at, created_at)
    FROM payments WHERE gateway = 'offline' AND status = 'succeeded' AND amount > 0
  RETURNING id, payment_id
)
INSERT INTO journal_lines (entry_id, account, business_id, provider_id, amount)
SELECT e.id, 'provider_payable', NULL::uuid, i.provider_id, p.amount
  FROM outside e JOIN payments p ON p.id = e.payment_id JOIN invoices i ON i.id = p.invoice_id
UNION ALL
SELECT e.id, 'buyer_receivable', i.business_id, NULL::uuid, -p.amount
  FROM outside e JOIN payments p ON p.id = e.payment_id JOIN invoices i ON i.id = p.invoice_id;

WITH card AS (
  INSERT INTO journal_entries (kind, source, invoice_id, payment_id, occurred_at)
  SELECT CASE status WHEN 'succeeded' THEN 'payment_received' ELSE 'payment_unapplied' END,
         id::text, invoice_id, id, coalesce(completed_at, created_at)
    FROM payments WHERE gateway <> 'offline' AND status IN ('succeeded', 'needs_refund') AND amount > 0
  RETURNING id, payment_id
)
INSERT INTO journal_lines (entry_id, account, business_id, provider_id, amount)
SELECT e.id, 'stripe_clearing', NULL::uuid, NULL::uuid, p.amount FROM card e JOIN payments p ON p.id = e.payment_id
UNION ALL
SELECT e.id, 'buyer_receivable', i.business_id, NULL::uuid, -p.amount
  FROM card e JOIN payments p ON p.id = e.payment_id JOIN invoices i ON i.id = p.invoice_id;
