-- Operator page: the destinations a parked event still waits for. Parameter: inbox id.
SELECT destination FROM smarttag_delivery WHERE inbox_id = ? AND state NOT IN ('done', 'skipped') ORDER BY destination
