CREATE INDEX analytics_events_kind_at_idx ON analytics_events (kind, occurred_at);
DROP INDEX analytics_events_kind_at_cover_idx;
DROP TRIGGER journal_lines_daily ON journal_lines;
DROP FUNCTION larder_journal_daily();
DROP TABLE journal_daily;
