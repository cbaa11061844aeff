-- Initial schema (MySQL/MariaDB dialect). Timestamps are epoch milliseconds (UTC); booleans are
-- INT 0/1 (TINYINT(1) would decode as bool, which sqlx::Any cannot share with SQLite).
-- Keep in step with ../sqlite/0001_initial.sql.

CREATE TABLE users (
    id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username        VARCHAR(150) NOT NULL,
    username_key    VARCHAR(150) NOT NULL,
    email           VARCHAR(254) NOT NULL,
    email_key       VARCHAR(254) NOT NULL,
    password_hash   VARCHAR(255) NOT NULL,
    is_online       INT          NOT NULL DEFAULT 0,
    last_seen       BIGINT       NULL,
    profile_picture VARCHAR(255) NULL,
    channel_name    VARCHAR(255) NULL,
    created_at      BIGINT       NOT NULL,
    UNIQUE KEY users_username_key (username_key),
    UNIQUE KEY users_email_key (email_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE calls (
    id           BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    caller_id    BIGINT      NOT NULL,
    receiver_id  BIGINT      NOT NULL,
    call_type    VARCHAR(16) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    room_id      VARCHAR(64) NOT NULL,
    initiated_at BIGINT      NOT NULL,
    ringing_at   BIGINT      NULL,
    accepted_at  BIGINT      NULL,
    ended_at     BIGINT      NULL,
    duration     BIGINT      NULL,
    end_reason   VARCHAR(32) NULL,
    missed_seen  INT         NOT NULL DEFAULT 0,
    UNIQUE KEY calls_room_id (room_id),
    KEY calls_by_caller (caller_id, id),
    KEY calls_by_receiver (receiver_id, id),
    KEY calls_by_status (status, initiated_at),
    CONSTRAINT calls_caller_fk FOREIGN KEY (caller_id) REFERENCES users (id),
    CONSTRAINT calls_receiver_fk FOREIGN KEY (receiver_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE call_signals (
    id          BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    call_id     BIGINT      NOT NULL,
    signal_type VARCHAR(16) NOT NULL,
    signal_data MEDIUMTEXT  NOT NULL,
    sender_id   BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL,
    KEY call_signals_by_call (call_id, id),
    CONSTRAINT call_signals_call_fk FOREIGN KEY (call_id) REFERENCES calls (id),
    CONSTRAINT call_signals_sender_fk FOREIGN KEY (sender_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE refresh_tokens (
    jti        VARCHAR(64) NOT NULL PRIMARY KEY,
    family     VARCHAR(64) NOT NULL,
    user_id    BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    used_at    BIGINT      NULL,
    revoked_at BIGINT      NULL,
    KEY refresh_tokens_by_family (family),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
