-- The main query of each endpoint, as the app sends it, for the bare SQL time.
-- :buyer, :provider, :order, :outcode_areas are substituted by run.sh.
\set QUIET on
\pset pager off
-- discovery
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT p.id, p.name, p.slug, p.description, p.categories, p.min_order_value, p.delivery_days,
  (p.delivery_areas && :areas::text[]) AS delivers,
  (SELECT count(*) FROM products pr WHERE pr.provider_id = p.id AND pr.active) AS product_count, 0::real AS rank,
  p.trust_score AS score, t.orders AS trust_orders, t.on_time, t.fill, t.rating, t.ratings
  FROM providers p LEFT JOIN provider_trust t ON t.provider_id = p.id WHERE p.status = 'active'
  ORDER BY coalesce(p.trust_score, 50) DESC, lower(p.name), p.id LIMIT 26 OFFSET 0;
-- discovery_filtered
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT p.id, p.name, p.slug, p.description, p.categories, p.min_order_value, p.delivery_days,
  (p.delivery_areas && :areas::text[]) AS delivers,
  (SELECT count(*) FROM products pr WHERE pr.provider_id = p.id AND pr.active) AS product_count, 0::real AS rank,
  p.trust_score AS score, t.orders AS trust_orders, t.on_time, t.fill, t.rating, t.ratings
  FROM providers p LEFT JOIN provider_trust t ON t.provider_id = p.id
  WHERE p.status = 'active' AND p.categories @> ARRAY['dairy_eggs'] AND p.delivery_areas && :areas::text[]
  ORDER BY coalesce(p.trust_score, 50) DESC, lower(p.name), p.id LIMIT 26 OFFSET 0;
-- discovery_text
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) WITH q AS (SELECT to_tsquery('english', 'cream:*') AS q),
  m AS (SELECT pr.provider_id, max(ts_rank(pr.search_vector, q.q)) AS r
  FROM q, products pr WHERE pr.active AND pr.search_vector @@ q.q GROUP BY pr.provider_id)
  SELECT p.id, p.name, p.slug, p.description, p.categories, p.min_order_value, p.delivery_days,
  (p.delivery_areas && :areas::text[]) AS delivers,
  (SELECT count(*) FROM products pr WHERE pr.provider_id = p.id AND pr.active) AS product_count,
  (ts_rank(p.search_vector, q.q) + 0.5 * coalesce(m.r, 0))::real AS rank,
  p.trust_score AS score, t.orders AS trust_orders, t.on_time, t.fill, t.rating, t.ratings
  FROM q, providers p LEFT JOIN m ON m.provider_id = p.id LEFT JOIN provider_trust t ON t.provider_id = p.id
  WHERE p.status = 'active' AND (p.search_vector @@ q.q OR m.provider_id IS NOT NULL)
  ORDER BY (ts_rank(p.search_vector, q.q) + 0.5 * coalesce(m.r, 0))::real * (0.75 + coalesce(p.trust_score, 50) / 200.0) DESC,
    coalesce(p.trust_score, 50) DESC, lower(p.name), p.id LIMIT 26 OFFSET 0;
-- catalog
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT * FROM products WHERE provider_id = :provider AND active
  ORDER BY category, lower(name), id LIMIT 26 OFFSET 0;
-- compare
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT pr.id, pr.name, pr.unit, pr.pack_size, pr.price, pr.vat_rate, pr.in_stock,
  p.name, p.slug, p.min_order_value, (p.delivery_areas && :areas::text[]) AS delivers
  FROM to_tsquery('english', 'double:* & cream:*') q, products pr JOIN providers p ON p.id = pr.provider_id
  WHERE pr.active AND p.status = 'active' AND pr.search_vector @@ q
  ORDER BY ts_rank(pr.search_vector, q) DESC, pr.price, pr.id LIMIT 26 OFFSET 0;
-- buyer_orders
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT o.id, o.number, o.status, o.requested_delivery_date, o.total, o.created_at, p.name
  FROM orders o JOIN providers p ON p.id = o.provider_id WHERE o.business_id = :buyer
  ORDER BY o.created_at DESC, o.id DESC LIMIT 26 OFFSET 0;
-- provider_orders
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT o.id, o.number, o.status, o.requested_delivery_date, o.total, o.created_at, b.name
  FROM orders o JOIN businesses b ON b.id = o.business_id WHERE o.provider_id = :provider
  ORDER BY o.created_at DESC, o.id DESC LIMIT 26 OFFSET 0;
-- order_page
EXPLAIN (ANALYZE, SUMMARY ON, COSTS OFF) SELECT * FROM order_lines WHERE order_id = :order ORDER BY position;
