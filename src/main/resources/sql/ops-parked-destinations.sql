-- Operator page: the destinations a parked event still waits for. Parameter: inbox id.
SELECT destination FROM smarttag_delivery WHERE inbox_id = ? AND state <> 'done' ORDER BY destination
