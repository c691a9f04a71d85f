-- Cancel: stops at the next checkpoint and frees the destination for another backfill.
-- Parameters: now, now, id.
UPDATE smarttag_backfill SET state = 'cancelled', active_destination = NULL, owner = NULL, lease_until = NULL,
       finished_at = ?, updated_at = ?
WHERE id = ? AND state IN ('running', 'paused')
