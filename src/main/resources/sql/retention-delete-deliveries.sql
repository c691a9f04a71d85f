-- Inbox retention: the delivery rows of one event selected (and locked) by retention-select-*.sql.
-- Parameter: inbox id.
DELETE FROM smarttag_delivery WHERE inbox_id = ?
