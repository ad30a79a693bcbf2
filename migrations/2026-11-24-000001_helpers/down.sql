DROP FUNCTION larder_set_updated_at();
DROP FUNCTION larder_uuid_v7();
