-- Invoicing without clicks: a provider may have each order invoiced (and the invoice issued)
-- as soon as it is marked delivered, from what was delivered.
ALTER TABLE providers ADD COLUMN auto_invoice boolean NOT NULL DEFAULT false;
