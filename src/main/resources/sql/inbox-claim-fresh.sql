-- Claim of an event this instance accepted and handed to processing in memory: wins only while the
-- event was never claimed (attempts 0, pending), never done, and has no delivery row, so the worker
-- knows the row without reading it back (see inbox-claim.sql for the general claim, which a worker
-- falls back to when this one updates nothing).
-- Parameters: lease until, id, id.
UPDATE smarttag_inbox SET state = 'processing', lease_until = ?, attempts = attempts + 1
WHERE id = ?
  AND state = 'pending' AND attempts = 0 AND done_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = ?)
