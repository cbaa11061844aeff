-- Per-call reports (issue 19): what each party's connection did during an answered call,
-- posted by its browser at hang-up. Keep in step with ../sqlite/0007_call_reports.sql.
-- Deleted with the call's other data (`calls purge`, `user delete`, the retention sweep).

CREATE TABLE call_reports (
    call_id           BIGINT      NOT NULL,
    user_id           BIGINT      NOT NULL,
    path              VARCHAR(16) NOT NULL,
    ip_hidden         BIGINT      NOT NULL,
    avg_rtt_ms        BIGINT      NULL,
    avg_jitter_ms     BIGINT      NULL,
    loss_basis_points BIGINT      NULL,
    worst_grade       VARCHAR(16) NULL,
    reconnects        BIGINT      NOT NULL,
    connected_secs    BIGINT      NOT NULL,
    samples           BIGINT      NOT NULL,
    created_at        BIGINT      NOT NULL,
    -- One report per party per call.
    PRIMARY KEY (call_id, user_id),
    KEY call_reports_by_created (created_at),
    CONSTRAINT call_reports_call_fk FOREIGN KEY (call_id) REFERENCES calls (id),
    CONSTRAINT call_reports_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
