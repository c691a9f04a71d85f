-- Record a destination's outcome on its existing delivery row.
-- Parameters: state, attempts, next attempt at, last error, done at, inbox id, destination.
UPDATE smarttag_delivery SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, done_at = ?
WHERE inbox_id = ? AND destination = ?
