-- The platform's own VAT invoices to providers for its fees: one per provider and London month,
-- numbered from one gap-free sequence of the platform's, each fee entry of the journal on
-- exactly one of them. Issued invoices are tax records and never change.
CREATE TABLE platform_fee_counter (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  last_number integer NOT NULL DEFAULT 0 CHECK (last_number >= 0)
);
INSERT INTO platform_fee_counter DEFAULT VALUES;

CREATE TABLE fee_invoices (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id       uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  month             date NOT NULL CHECK (extract(day FROM month) = 1),
  sequence_number   integer NOT NULL UNIQUE CHECK (sequence_number > 0),
  number            text NOT NULL UNIQUE,
  issue_date        date NOT NULL,
  seller_name       text NOT NULL,
  seller_address    text NOT NULL,
  seller_vat_number text NOT NULL,
  buyer_name        text NOT NULL,
  buyer_address     text,
  buyer_vat_number  text,
  net               numeric(12, 2) NOT NULL,
  vat               numeric(12, 2) NOT NULL,
  total             numeric(12, 2) NOT NULL CHECK (total = net + vat),
  -- Taken already through Connect as application fees.
  paid              numeric(12, 2) NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider_id, month)
);
CREATE INDEX fee_invoices_month_idx ON fee_invoices (month, provider_id);

CREATE TABLE fee_invoice_lines (
  id             uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  fee_invoice_id uuid NOT NULL REFERENCES fee_invoices (id) ON DELETE CASCADE,
  entry_id       uuid NOT NULL UNIQUE REFERENCES journal_entries (id) ON DELETE RESTRICT,
  invoice_id     uuid REFERENCES invoices (id) ON DELETE RESTRICT,
  description    text NOT NULL,
  occurred_at    timestamptz NOT NULL,
  net            numeric(12, 2) NOT NULL,
  vat            numeric(12, 2) NOT NULL
);
CREATE INDEX fee_invoice_lines_invoice_idx ON fee_invoice_lines (fee_invoice_id, occurred_at);
CREATE INDEX fee_invoice_lines_source_idx ON fee_invoice_lines (invoice_id);

CREATE FUNCTION larder_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are issued records and never change', TG_TABLE_NAME;
END $$;
CREATE TRIGGER fee_invoices_issued BEFORE UPDATE OR DELETE ON fee_invoices
  FOR EACH ROW EXECUTE FUNCTION larder_refuse_change();
CREATE TRIGGER fee_invoice_lines_issued BEFORE UPDATE OR DELETE ON fee_invoice_lines
  FOR EACH ROW EXECUTE FUNCTION larder_refuse_change();
