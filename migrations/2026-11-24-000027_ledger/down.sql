DROP TABLE journal_lines;
DROP TABLE journal_entries;
DROP FUNCTION larder_journal_append_only();
DROP FUNCTION larder_journal_balanced();
