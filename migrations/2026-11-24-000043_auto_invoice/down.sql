ALTER TABLE providers DROP COLUMN auto_invoice;
