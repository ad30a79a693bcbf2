DROP TABLE credit_request_photos;
DROP TABLE credit_request_messages;
