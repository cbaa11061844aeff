-- utf8mb4_bin pads with spaces when comparing: 'alice' and 'alice ' were one key. The lookup
-- keys compare byte for byte, as they do on SQLite. (MariaDB's name; MySQL 8 calls the
-- equivalent collation utf8mb4_0900_bin.)
ALTER TABLE users
    MODIFY username_key VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY email_key    VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
