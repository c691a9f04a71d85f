-- The sweep's claim on H2: an H2 file database belongs to one process, so there is no other
-- instance to skip; the rows are locked by the claim UPDATE (inbox-claim.sql) that follows in the
-- same transaction, which also arbitrates between this instance's workers. Parameters: now, now, limit.
SELECT id FROM smarttag_inbox
WHERE (state = 'pending' AND next_attempt_at <= ?)
   OR (state = 'processing' AND lease_until < ?)
ORDER BY next_attempt_at LIMIT ?
