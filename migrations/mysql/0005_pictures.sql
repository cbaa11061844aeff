-- Profile pictures live in the database, so every instance serves every picture without a
-- shared disk. `users.profile_picture` keeps naming the current one (its URL is unchanged).
-- Keep in step with ../sqlite/0005_pictures.sql. A stored picture is a PNG thumbnail of at
-- most 256 x 256 pixels: MEDIUMBLOB (16 MiB) is ample.

CREATE TABLE pictures (
    name       VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id    BIGINT      NOT NULL,
    content    MEDIUMBLOB  NOT NULL,
    created_at BIGINT      NOT NULL,
    KEY pictures_by_user (user_id),
    CONSTRAINT pictures_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
