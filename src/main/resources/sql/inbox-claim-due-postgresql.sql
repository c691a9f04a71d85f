-- The sweep's claim on PostgreSQL: up to N due events (see inbox-due.sql), skipping rows another
-- instance has locked right now, so several instances' sweeps split the backlog instead of racing
-- for the same rows. The claim UPDATE (inbox-claim.sql) then runs on the ids returned, in the same
-- transaction. Parameters: now, now, limit.
SELECT id FROM smarttag_inbox
WHERE (state = 'pending' AND next_attempt_at <= ?)
   OR (state = 'processing' AND lease_until < ?)
ORDER BY next_attempt_at LIMIT ?
FOR UPDATE SKIP LOCKED
