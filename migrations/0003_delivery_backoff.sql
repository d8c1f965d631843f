-- The delivery queue's retry schedule: a failed delivery waits until
-- next_attempt_at (exponential backoff); one past the queue's max age, or
-- refused for good, is 'dead' with its last error kept.
ALTER TABLE deliveries ADD COLUMN next_attempt_at INTEGER;
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE state = 'pending';
