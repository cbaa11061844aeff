-- Kept in step with ../mysql/0004_keys_no_pad.sql: SQLite's BINARY collation never pads, so the
-- lookup keys already compare byte for byte here.
SELECT 1;
