ALTER TABLE orders DROP COLUMN standing_order_id;
DROP TABLE standing_order_occurrences;
DROP TABLE standing_order_lines;
DROP TABLE standing_orders;
