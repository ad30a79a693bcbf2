ALTER TABLE invoice_lines DROP COLUMN fractional;
ALTER TABLE order_lines DROP COLUMN fractional;
