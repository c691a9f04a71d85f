-- The parked items of a backfill, for an operator. Parameters: backfill id, limit.
SELECT archive_key, attempts, last_error FROM smarttag_backfill_item
WHERE backfill_id = ? AND state = 'parked' ORDER BY archive_key LIMIT ?
