-- When nobody answers (issue 23): a message the caller leaves on a call that ended unanswered,
-- and "tell me when they are free" requests. Keep in step with ../sqlite/0006_missed_calls.sql.
-- Messages live in the database, as pictures do, so every instance serves them. A message is
-- at most 2 MiB (`calls::messages::MAX_BYTES`): MEDIUMBLOB (16 MiB) is ample.

CREATE TABLE call_messages (
    call_id      BIGINT      NOT NULL PRIMARY KEY,
    content      MEDIUMBLOB  NOT NULL,
    content_type VARCHAR(32) NOT NULL,
    duration_ms  BIGINT      NOT NULL,
    created_at   BIGINT      NOT NULL,
    heard_at     BIGINT      NULL,
    KEY call_messages_by_created (created_at),
    CONSTRAINT call_messages_call_fk FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One open request per watcher and target; the sweeper fires or expires them.
CREATE TABLE availability_requests (
    watcher_id BIGINT NOT NULL,
    target_id  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (watcher_id, target_id),
    KEY availability_by_target (target_id),
    KEY availability_by_expiry (expires_at),
    CONSTRAINT availability_watcher_fk FOREIGN KEY (watcher_id) REFERENCES users (id),
    CONSTRAINT availability_target_fk FOREIGN KEY (target_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
