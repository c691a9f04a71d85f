-- Inbox retention on H2: as retention-select-postgresql.sql. H2 locks the rows of a SELECT ... FOR
-- UPDATE and skips those another connection holds (SKIP LOCKED), which is what hubs sharing one H2
-- database in one JVM (or over its server mode) need; it takes no table list after FOR UPDATE.
-- Parameters: cutoff, limit.
SELECT i.id FROM smarttag_inbox i
WHERE i.state = 'done' AND i.done_at < ?
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = i.id AND d.state NOT IN ('done', 'skipped'))
ORDER BY i.done_at LIMIT ?
FOR UPDATE SKIP LOCKED
