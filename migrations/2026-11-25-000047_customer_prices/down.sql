ALTER TABLE invoice_lines DROP COLUMN customer_price;
ALTER TABLE order_lines DROP COLUMN customer_price;
DROP FUNCTION larder_customer_prices(uuid, date);
DROP TABLE customer_prices;
DROP TABLE buyer_group_members;
DROP TABLE buyer_groups;
