-- Initial schema (SQLite dialect). Timestamps are epoch milliseconds (UTC); booleans are 0/1.
-- Keep in step with ../mysql/0001_initial.sql.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL,
    -- Lower-cased username and email: uniqueness is case-insensitive on both backends.
    username_key    TEXT    NOT NULL UNIQUE,
    email           TEXT    NOT NULL,
    email_key       TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    is_online       INTEGER NOT NULL DEFAULT 0,
    last_seen       INTEGER NULL,
    profile_picture TEXT    NULL,
    channel_name    TEXT    NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE calls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    caller_id    INTEGER NOT NULL REFERENCES users (id),
    receiver_id  INTEGER NOT NULL REFERENCES users (id),
    call_type    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    room_id      TEXT    NOT NULL UNIQUE,
    initiated_at INTEGER NOT NULL,
    ringing_at   INTEGER NULL,
    accepted_at  INTEGER NULL,
    ended_at     INTEGER NULL,
    duration     INTEGER NULL,
    end_reason   TEXT    NULL,
    missed_seen  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_by_caller ON calls (caller_id, id);
CREATE INDEX calls_by_receiver ON calls (receiver_id, id);
CREATE INDEX calls_by_status ON calls (status, initiated_at);

CREATE TABLE call_signals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id     INTEGER NOT NULL REFERENCES calls (id),
    signal_type TEXT    NOT NULL,
    signal_data TEXT    NOT NULL,
    sender_id   INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX call_signals_by_call ON call_signals (call_id, id);

CREATE TABLE refresh_tokens (
    jti        TEXT    PRIMARY KEY,
    family     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NULL,
    revoked_at INTEGER NULL
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
