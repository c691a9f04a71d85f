-- Inbox retention on PostgreSQL: up to N events done for every destination (done or skipped) and
-- finished before the cutoff, oldest first, locked for this transaction; rows another instance is
-- deleting right now are skipped, so instances running retention at once never do the same work.
-- Parked and pending events are never taken. Parameters: cutoff, limit.
SELECT i.id FROM smarttag_inbox i
WHERE i.state = 'done' AND i.done_at < ?
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = i.id AND d.state NOT IN ('done', 'skipped'))
ORDER BY i.done_at LIMIT ?
FOR UPDATE OF i SKIP LOCKED
