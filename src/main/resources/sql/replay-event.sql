-- Replay: the event is pending again and due now, with a fresh attempt count. Its done_at stays: an
-- event that was done once owes nothing to a destination added since, unless a replay names that
-- destination (InboxEngine, Replay). Parameters: now, id.
UPDATE smarttag_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL
WHERE id = ? AND state <> 'processing'
