-- The deliveries recorded for an event, one row per destination tried. Parameter: inbox id.
SELECT destination, state, attempts, next_attempt_at, last_error, done_at
FROM smarttag_delivery WHERE inbox_id = ?
