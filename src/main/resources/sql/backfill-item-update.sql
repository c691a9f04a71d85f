-- A retry's outcome: done, pending again (next attempt), or parked after hub.retry.max-attempts.
-- Parameters: state, attempts, next attempt at, last error, backfill id, archive key.
UPDATE smarttag_backfill_item SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?
WHERE backfill_id = ? AND archive_key = ?
