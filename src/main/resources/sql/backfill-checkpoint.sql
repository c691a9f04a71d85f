-- The checkpoint after a chunk: every key up to cursor_key is delivered, skipped or recorded as a
-- failed item (in the same transaction); the lease is renewed. No row: the backfill was paused or
-- cancelled, or another instance took it over, and this instance stops.
-- Parameters: cursor (NULL keeps it), handled, delivered, skipped, failed, parked, lease until, now, id, owner.
UPDATE smarttag_backfill
SET cursor_key = COALESCE(?, cursor_key), handled = handled + ?, delivered = delivered + ?, skipped = skipped + ?,
    failed = failed + ?, parked = parked + ?, lease_until = ?, updated_at = ?
WHERE id = ? AND owner = ? AND state = 'running'
