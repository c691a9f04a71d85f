-- Durable accept: the raw event and the columns the inbox is searched by. dedup_key
-- (EventType|JobId|Status) makes a repeated delivery a no-op (update count 0). The first attempt is
-- due after the sweep's grace: the accept step hands the event to a worker at once, and the sweep
-- takes it only if that hand-off is lost.
-- Parameters: id, dedup key, event type, job id, media id, status, source, body, received at, first attempt at.
INSERT INTO smarttag_inbox (id, dedup_key, event_type, job_id, media_id, status, source, body,
                            received_at, state, attempts, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
ON CONFLICT DO NOTHING
