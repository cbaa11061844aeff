-- Per-call reports (issue 19): what each party's connection did during an answered call,
-- posted by its browser at hang-up. Keep in step with ../mysql/0007_call_reports.sql.
-- Deleted with the call's other data (`calls purge`, `user delete`, the retention sweep).

CREATE TABLE call_reports (
    call_id           INTEGER NOT NULL REFERENCES calls (id),
    user_id           INTEGER NOT NULL REFERENCES users (id),
    path              TEXT    NOT NULL,
    ip_hidden         INTEGER NOT NULL,
    avg_rtt_ms        INTEGER NULL,
    avg_jitter_ms     INTEGER NULL,
    loss_basis_points INTEGER NULL,
    worst_grade       TEXT    NULL,
    reconnects        INTEGER NOT NULL,
    connected_secs    INTEGER NOT NULL,
    samples           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    -- One report per party per call.
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX call_reports_by_created ON call_reports (created_at);
