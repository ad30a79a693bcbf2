DROP TABLE favourite_products;
DROP TABLE favourite_providers;
