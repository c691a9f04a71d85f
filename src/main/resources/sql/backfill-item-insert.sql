-- A backfilled event whose first delivery failed: retried with the hub's backoff. A chunk delivered
-- again after a crash finds its row there already (nothing happens).
-- Parameters: backfill id, archive key, next attempt at, last error.
INSERT INTO smarttag_backfill_item (backfill_id, archive_key, state, attempts, next_attempt_at, last_error)
VALUES (?, ?, 'pending', 1, ?, ?)
ON CONFLICT DO NOTHING
