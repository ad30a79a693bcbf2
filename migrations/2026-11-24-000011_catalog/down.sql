DROP TABLE catalog_imports;
DROP INDEX products_provider_active_idx;
DROP INDEX providers_min_order_idx;
DROP INDEX providers_delivery_areas_idx;
