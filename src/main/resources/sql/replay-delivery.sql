-- Replay to one destination: its delivery of the event is due again, done or not (a destination
-- that never had the event has no row and is due anyway). Parameters: now, inbox id, destination.
UPDATE smarttag_delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, done_at = NULL
WHERE inbox_id = ? AND destination = ?
