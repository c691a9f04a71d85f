-- The parked items of a backfill back to pending, due now, attempts from zero. Parameters: now, id.
UPDATE smarttag_backfill_item SET state = 'pending', attempts = 0, next_attempt_at = ?
WHERE backfill_id = ? AND state = 'parked'
