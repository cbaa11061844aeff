-- When nobody answers (issue 23): a message the caller leaves on a call that ended unanswered,
-- and "tell me when they are free" requests. Keep in step with ../mysql/0006_missed_calls.sql.
-- Messages live in the database, as pictures do, so every instance serves them.

CREATE TABLE call_messages (
    call_id      INTEGER PRIMARY KEY REFERENCES calls (id),
    content      BLOB    NOT NULL,
    content_type TEXT    NOT NULL,
    duration_ms  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    heard_at     INTEGER NULL
);
CREATE INDEX call_messages_by_created ON call_messages (created_at);

-- One open request per watcher and target; the sweeper fires or expires them.
CREATE TABLE availability_requests (
    watcher_id INTEGER NOT NULL REFERENCES users (id),
    target_id  INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (watcher_id, target_id)
);
CREATE INDEX availability_by_target ON availability_requests (target_id);
CREATE INDEX availability_by_expiry ON availability_requests (expires_at);
