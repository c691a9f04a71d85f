-- The event after an attempt: done when every destination that takes it is done; pending until the
-- earliest next attempt of a destination still owing it; parked when the rest are all parked.
-- done_at is when it was last done: kept while a replay delivers it again (see replay-event.sql).
-- Parameters: state, done at (null unless done), next attempt at, last error, archive key, id.
UPDATE smarttag_inbox SET state = ?, done_at = COALESCE(CAST(? AS TIMESTAMP WITH TIME ZONE), done_at), next_attempt_at = ?,
       lease_until = NULL, last_error = ?, archive_key = COALESCE(?, archive_key)
WHERE id = ?
