-- Pause: the instance running it stops at its next checkpoint; resume continues from there.
-- Parameters: now, id.
UPDATE smarttag_backfill SET state = 'paused', owner = NULL, lease_until = NULL, updated_at = ?
WHERE id = ? AND state = 'running'
