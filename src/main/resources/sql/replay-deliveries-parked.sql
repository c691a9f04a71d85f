-- Replay: an event's parked deliveries are due again with fresh attempts. Parameters: now, inbox id.
UPDATE smarttag_delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL
WHERE inbox_id = ? AND state = 'parked'
