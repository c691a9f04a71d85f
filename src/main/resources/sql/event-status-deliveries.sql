-- Event status: each destination's delivery of one event. Parameter: inbox id.
SELECT destination, state, attempts, last_error, done_at
FROM smarttag_delivery WHERE inbox_id = ? ORDER BY destination
