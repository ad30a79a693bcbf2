DROP INDEX orders_location_created_idx;
DROP TABLE guide_items;
