DROP TABLE credit_request_lines;
DROP TABLE credit_requests;
DROP TABLE order_receipt_lines;
DROP TABLE order_receipts;
