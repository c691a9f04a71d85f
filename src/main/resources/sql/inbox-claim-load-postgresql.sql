-- Claim and load in one statement, on PostgreSQL: an event queued for processing by its id (not
-- handed over in memory) that has no delivery row yet, the usual case. The claim is inbox-claim.sql's
-- conditional UPDATE; it returns what inbox-load.sql reads, and with no delivery row there is nothing
-- else to read, so no transaction around a claim and two reads. When it updates nothing (the event
-- has delivery rows, is not due, or is another worker's) the worker claims the usual way, which
-- decides. Parameters: lease until, id, now, now, id.
UPDATE smarttag_inbox SET state = 'processing', lease_until = ?, attempts = attempts + 1
WHERE id = ?
  AND ((state = 'pending' AND (attempts = 0 OR next_attempt_at <= ?))
    OR (state = 'processing' AND lease_until < ?))
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = ?)
RETURNING body, received_at, attempts, done_at
