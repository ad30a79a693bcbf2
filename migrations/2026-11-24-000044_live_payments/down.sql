DROP TRIGGER payments_live ON payments;
DROP FUNCTION live_payment_changed();
