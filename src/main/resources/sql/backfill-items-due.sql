-- Failed items whose retry is due. Parameters: backfill id, now, limit.
SELECT archive_key, attempts FROM smarttag_backfill_item
WHERE backfill_id = ? AND state = 'pending' AND next_attempt_at <= ?
ORDER BY next_attempt_at LIMIT ?
