-- Money that arrived but couldn't be applied (a void or already-paid invoice, a wrong amount)
-- is refunded by an admin through Larder; the payment then reads `refunded`.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
  CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'expired', 'needs_refund', 'refunded'));
