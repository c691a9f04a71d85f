-- Operator page: parked events, oldest first. Parameter: the list limit.
SELECT id, job_id, media_id, status, attempts, last_error, received_at
FROM smarttag_inbox WHERE state = 'parked' ORDER BY received_at, id LIMIT ?
