DROP TABLE plan_subscriptions;
DROP TABLE provider_plans;
DROP TRIGGER fee_rules_versioned ON fee_rules;
DROP FUNCTION larder_fee_rules_versioned();
DELETE FROM fee_rules f WHERE starts_at < (SELECT max(starts_at) FROM fee_rules g
  WHERE g.provider_id IS NOT DISTINCT FROM f.provider_id AND g.plan_id IS NOT DISTINCT FROM f.plan_id);
DELETE FROM fee_rules WHERE removes OR plan_id IN (SELECT id FROM plans WHERE NOT is_default);
ALTER TABLE fee_rules DROP CONSTRAINT fee_rules_one_scope, DROP CONSTRAINT fee_rules_removes_overrides;
DROP INDEX fee_rules_plan_idx;
DROP INDEX fee_rules_provider_idx;
ALTER TABLE fee_rules DROP COLUMN plan_id, DROP COLUMN starts_at, DROP COLUMN removes;
ALTER TABLE fee_rules ADD CONSTRAINT fee_rules_provider_id_key UNIQUE (provider_id);
CREATE UNIQUE INDEX fee_rules_platform_once ON fee_rules ((provider_id IS NULL)) WHERE provider_id IS NULL;
CREATE TRIGGER fee_rules_updated_at BEFORE UPDATE ON fee_rules
  FOR EACH ROW EXECUTE FUNCTION larder_set_updated_at();
DROP TABLE plans;
