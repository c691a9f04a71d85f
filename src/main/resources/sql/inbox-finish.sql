-- The event after an attempt: done when every destination that takes it is done; pending until the
-- earliest next attempt of a destination still owing it; parked when the rest are all parked.
-- Parameters: state, done at, next attempt at, last error, archive key, id.
UPDATE smarttag_inbox SET state = ?, done_at = ?, next_attempt_at = ?, lease_until = NULL,
       last_error = ?, archive_key = COALESCE(?, archive_key)
WHERE id = ?
