ALTER TABLE payments DROP COLUMN application_fee, DROP COLUMN destination_account;
ALTER TABLE invoices DROP CONSTRAINT invoices_fee_within_total, DROP COLUMN platform_fee_vat, DROP COLUMN platform_fee;
DROP TABLE fee_rules;
DROP TABLE payout_accounts;
