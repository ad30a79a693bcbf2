DROP TABLE provider_trust;
DROP TABLE order_ratings;
