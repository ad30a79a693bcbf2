DROP INDEX providers_trust_sort_idx;
DROP INDEX providers_trust_order_idx;
ALTER TABLE providers DROP COLUMN trust_score;
