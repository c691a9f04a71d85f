-- The database destination of an inbox event is done; written in the same transaction as the rows.
-- Parameter: inbox id.
UPDATE smarttag_inbox SET db_done = TRUE WHERE id = ?
