-- Retry the parked items of a finished backfill: running again (if no other backfill of its
-- destination is active: UNIQUE active_destination), only its items are delivered (the cursor is
-- at the end). Parameters: now, id.
UPDATE smarttag_backfill SET state = 'running', active_destination = destination, finished_at = NULL, updated_at = ?
WHERE id = ? AND state = 'done' AND parked > 0
