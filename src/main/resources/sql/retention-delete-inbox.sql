-- Inbox retention: one event selected (and locked) by retention-select-*.sql; still done (a replay
-- in between would have made it pending, and it stays). Parameter: inbox id.
DELETE FROM smarttag_inbox WHERE id = ? AND state = 'done'
