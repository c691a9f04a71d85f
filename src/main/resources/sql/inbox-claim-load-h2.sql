-- Claim and load in one statement, on H2: as inbox-claim-load-postgresql.sql, with H2's data change
-- delta table instead of RETURNING. Parameters: lease until, id, now, now, id.
SELECT body, received_at, attempts, done_at FROM FINAL TABLE (
UPDATE smarttag_inbox SET state = 'processing', lease_until = ?, attempts = attempts + 1
WHERE id = ?
  AND ((state = 'pending' AND (attempts = 0 OR next_attempt_at <= ?))
    OR (state = 'processing' AND lease_until < ?))
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = ?)
)
