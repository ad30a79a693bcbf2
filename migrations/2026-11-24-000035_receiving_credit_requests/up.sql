-- Receiving a delivery: what the buyer counted in, line by line.
CREATE TABLE order_receipts (
  order_id    uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  checked_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  checked_at  timestamptz NOT NULL DEFAULT now(),
  note        text NOT NULL DEFAULT '' CHECK (length(note) <= 1000)
);
CREATE INDEX order_receipts_checked_by_idx ON order_receipts (checked_by) WHERE checked_by IS NOT NULL;

CREATE TABLE order_receipt_lines (
  order_line_id     uuid PRIMARY KEY REFERENCES order_lines (id) ON DELETE CASCADE,
  order_id          uuid NOT NULL REFERENCES order_receipts (order_id) ON DELETE CASCADE,
  received_quantity numeric(12, 3) NOT NULL CHECK (received_quantity >= 0),
  damaged           boolean NOT NULL DEFAULT false,
  note              text NOT NULL DEFAULT '' CHECK (length(note) <= 500)
);
CREATE INDEX order_receipt_lines_order_idx ON order_receipt_lines (order_id);

-- A buyer's request for credit on a delivered order, answered by the provider.
CREATE TABLE credit_requests (
  id              uuid PRIMARY KEY DEFAULT larder_uuid_v7(),
  order_id        uuid NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
  business_id     uuid NOT NULL REFERENCES businesses (id) ON DELETE RESTRICT,
  provider_id     uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
  -- open → accepted | declined; declined (or left unanswered) → escalated → resolved by an
  -- admin.
  status          text NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'accepted', 'declined', 'escalated', 'resolved')),
  -- What the lines asked for, VAT included, and what the provider agreed to.
  amount          numeric(12, 2) NOT NULL CHECK (amount > 0),
  accepted_amount numeric(12, 2) CHECK (accepted_amount > 0 AND accepted_amount <= amount),
  decline_reason  text CHECK (decline_reason IS NULL OR length(decline_reason) BETWEEN 1 AND 1000),
  -- The refund that paid an accepted request back (the invoice was paid).
  refund_id       uuid UNIQUE REFERENCES refunds (id) ON DELETE RESTRICT,
  raised_by       uuid REFERENCES users (id) ON DELETE SET NULL,
  answered_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  -- The form's key: a double click raises one request.
  idempotency_key uuid NOT NULL UNIQUE,
  -- An admin's decision: a refund (through the refunds path), upheld with the invoice to be
  -- corrected, or rejected; the note is what both sides read.
  resolution      text CHECK (resolution IN ('refunded', 'upheld', 'rejected')),
  resolution_note text CHECK (resolution_note IS NULL OR length(resolution_note) BETWEEN 1 AND 1000),
  resolved_amount numeric(12, 2) CHECK (resolved_amount > 0),
  resolved_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  answered_at     timestamptz,
  escalated_at    timestamptz,
  resolved_at     timestamptz,
  CHECK ((status = 'resolved') = (resolution IS NOT NULL AND resolution_note IS NOT NULL AND resolved_at IS NOT NULL)),
  CHECK ((resolution = 'rejected') = (resolution IS NOT NULL AND resolved_amount IS NULL)),
  CHECK ((status = 'accepted') = (accepted_amount IS NOT NULL)),
  CHECK (status <> 'declined' OR decline_reason IS NOT NULL),
  CHECK (status <> 'open' OR (answered_at IS NULL AND escalated_at IS NULL)),
  CHECK (status <> 'escalated' OR escalated_at IS NOT NULL)
);
CREATE INDEX credit_requests_order_idx ON credit_requests (order_id);
CREATE INDEX credit_requests_business_idx ON credit_requests (business_id, created_at DESC);
CREATE INDEX credit_requests_provider_idx ON credit_requests (provider_id, status, created_at);
CREATE INDEX credit_requests_raised_by_idx ON credit_requests (raised_by) WHERE raised_by IS NOT NULL;
CREATE INDEX credit_requests_resolved_by_idx ON credit_requests (resolved_by) WHERE resolved_by IS NOT NULL;
-- The admin queue: escalated requests, oldest first.
CREATE INDEX credit_requests_escalated_idx ON credit_requests (escalated_at) WHERE status = 'escalated';
CREATE INDEX credit_requests_answered_by_idx ON credit_requests (answered_by) WHERE answered_by IS NOT NULL;
-- One request in play per order at a time.
CREATE UNIQUE INDEX credit_requests_one_open_per_order ON credit_requests (order_id)
  WHERE status IN ('open', 'escalated');

CREATE TABLE credit_request_lines (
  id            bigserial PRIMARY KEY,
  request_id    uuid NOT NULL REFERENCES credit_requests (id) ON DELETE CASCADE,
  order_line_id uuid NOT NULL REFERENCES order_lines (id) ON DELETE RESTRICT,
  reason        text NOT NULL CHECK (reason IN ('short', 'damaged', 'wrong_item', 'quality', 'price')),
  quantity      numeric(12, 3) NOT NULL CHECK (quantity > 0),
  note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  amount        numeric(12, 2) NOT NULL CHECK (amount > 0),
  -- The provider's answer for this line: null until answered.
  accepted      boolean,
  UNIQUE (request_id, order_line_id)
);
CREATE INDEX credit_request_lines_order_line_idx ON credit_request_lines (order_line_id);
