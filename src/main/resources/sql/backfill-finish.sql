-- Every key handled and no failed item waiting for a retry: done; the destination is free for the
-- next backfill. Parameters: now, now, id, owner.
UPDATE smarttag_backfill SET state = 'done', active_destination = NULL, owner = NULL, lease_until = NULL,
       finished_at = ?, updated_at = ?
WHERE id = ? AND owner = ? AND state = 'running'
