-- Replay: the event is pending again and due now, with a fresh attempt count. Parameters: now, id.
UPDATE smarttag_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, done_at = NULL
WHERE id = ? AND state <> 'processing'
