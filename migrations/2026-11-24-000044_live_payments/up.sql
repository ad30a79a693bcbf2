-- Open invoice pages follow their payment attempts live. Attempts change status on many
-- paths (webhooks, reconciliation, saved cards, expiry), so the database tells the
-- listening instances itself, at commit, with the invoice's id only.
CREATE FUNCTION live_payment_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('larder_live', 'i:' || NEW.invoice_id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER payments_live
AFTER INSERT OR UPDATE OF status ON payments
FOR EACH ROW EXECUTE FUNCTION live_payment_changed();
