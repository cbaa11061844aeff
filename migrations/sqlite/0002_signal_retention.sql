-- The retention sweeper deletes signals by age (SIGNAL_RETENTION_DAYS).
CREATE INDEX call_signals_by_time ON call_signals (created_at);
