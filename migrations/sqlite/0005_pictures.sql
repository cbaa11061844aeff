-- Profile pictures live in the database, so every instance serves every picture without a
-- shared disk. `users.profile_picture` keeps naming the current one (its URL is unchanged).
-- Keep in step with ../mysql/0005_pictures.sql.

CREATE TABLE pictures (
    name       TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    content    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX pictures_by_user ON pictures (user_id);
