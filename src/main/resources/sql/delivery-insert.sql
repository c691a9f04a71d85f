-- Record a destination's first outcome for an event (update found no row).
-- Parameters: inbox id, destination, state, attempts, next attempt at, last error, done at.
INSERT INTO smarttag_delivery (inbox_id, destination, state, attempts, next_attempt_at, last_error, done_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
