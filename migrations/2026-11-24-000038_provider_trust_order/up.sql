-- Discovery orders providers by their trust score; kept on the provider row as well, so the
-- first page without search text is read from an index instead of sorting every provider.
ALTER TABLE providers ADD COLUMN trust_score smallint CHECK (trust_score BETWEEN 0 AND 100);
UPDATE providers p SET trust_score = t.score FROM provider_trust t WHERE t.provider_id = p.id;
-- Best match: the score (a new provider counts as 50), then the name.
CREATE INDEX providers_trust_order_idx ON providers ((coalesce(trust_score, 50)) DESC, lower(name), id)
  WHERE status = 'active';
-- "Trust score" sort: scored providers first.
CREATE INDEX providers_trust_sort_idx ON providers (trust_score DESC NULLS LAST, lower(name), id)
  WHERE status = 'active';
