DROP TABLE deliveries;
DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
DROP SEQUENCE order_number_seq;
