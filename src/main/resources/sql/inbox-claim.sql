-- Claim one event for processing: a conditional UPDATE is the lock. Of all instances and workers
-- that try, exactly one sees an update count of 1 (a row lock serialises them; the loser re-reads
-- the row and finds the condition false). Due: a new event (attempts 0, handed over at accept),
-- a pending event whose next attempt is due, or one whose processing lease expired (its instance died).
-- Parameters: lease until, id, now, now.
UPDATE smarttag_inbox SET state = 'processing', lease_until = ?, attempts = attempts + 1
WHERE id = ?
  AND ((state = 'pending' AND (attempts = 0 OR next_attempt_at <= ?))
    OR (state = 'processing' AND lease_until < ?))
