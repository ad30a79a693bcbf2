DROP TABLE stripe_events;
DROP TABLE payments;
