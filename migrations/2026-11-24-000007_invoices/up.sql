-- Gap-free invoice numbers per provider: the issuing transaction increments this row, and the
-- row lock serialises concurrent issues of one provider without touching other providers.
CREATE TABLE provider_invoice_counters (
  provider_id uuid PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
  last_number integer NOT NULL DEFAULT 0 CHECK (last_number >= 0)
);

CREATE TABLE invoices (
  id                uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  provider_id       uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  business_id       uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  order_id          uuid REFERENCES orders (id) ON DELETE RESTRICT,
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'paid', 'void')),
  -- Assigned at issue; a draft has neither.
  sequence_number   integer CHECK (sequence_number IS NULL OR sequence_number > 0),
  number            text,
  issue_date        date,
  due_date          date,
  -- Seller and buyer as they were at issue (an invoice is a legal record; later edits don't move it).
  seller_name       text,
  seller_address    text,
  seller_vat_number text,
  buyer_name        text,
  buyer_address     text,
  subtotal          numeric(12, 2) NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
  vat_total         numeric(12, 2) NOT NULL DEFAULT 0 CHECK (vat_total >= 0),
  total             numeric(12, 2) NOT NULL DEFAULT 0 CHECK (total >= 0),
  amount_paid       numeric(12, 2) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0 AND amount_paid <= total),
  void_reason       text CHECK (void_reason IS NULL OR length(void_reason) <= 500),
  issued_at         timestamptz,
  paid_at           timestamptz,
  voided_at         timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (total = subtotal + vat_total),
  -- A number exists exactly when the invoice has been issued (void drafts never had one).
  CHECK ((sequence_number IS NULL) = (number IS NULL)),
  CHECK (status = 'void' OR (status = 'draft') = (number IS NULL)),
  CHECK (number IS NULL OR (issue_date IS NOT NULL AND due_date IS NOT NULL AND due_date >= issue_date)),
  CHECK ((status = 'void') = (void_reason IS NOT NULL)),
  CHECK (status <> 'paid' OR amount_paid = total),
  UNIQUE (provider_id, sequence_number)
);
CREATE INDEX invoices_provider_status_due_idx ON invoices (provider_id, status, due_date);
CREATE INDEX invoices_provider_created_idx ON invoices (provider_id, created_at DESC);
CREATE INDEX invoices_business_status_due_idx ON invoices (business_id, status, due_date);
CREATE INDEX invoices_business_created_idx ON invoices (business_id, created_at DESC);
CREATE INDEX invoices_order_id_idx ON invoices (order_id);
CREATE TRIGGER invoices_updated_at BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();

CREATE TABLE invoice_lines (
  id          uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  invoice_id  uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  position    integer NOT NULL CHECK (position >= 0),
  kind        text NOT NULL DEFAULT 'goods' CHECK (kind IN ('goods', 'delivery')),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
  unit        text NOT NULL DEFAULT '',
  quantity    numeric(10, 3) NOT NULL CHECK (quantity > 0),
  unit_price  numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
  vat_rate    numeric(5, 2) NOT NULL CHECK (vat_rate IN (0, 5, 20)),
  line_total  numeric(12, 2) NOT NULL CHECK (line_total >= 0),
  line_vat    numeric(12, 2) NOT NULL CHECK (line_vat >= 0),
  UNIQUE (invoice_id, position)
);
