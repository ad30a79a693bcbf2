DROP INDEX payments_saved_card_idx;
ALTER TABLE payments DROP COLUMN saved_card_id;
DROP TABLE saved_cards;
DROP TABLE card_setups;
ALTER TABLE businesses DROP COLUMN stripe_customer_id;
