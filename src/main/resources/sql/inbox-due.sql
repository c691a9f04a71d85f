-- Events left pending whose next attempt is due (a failed destination's retry, a lost hand-off),
-- or whose processing lease expired (the instance died). Parameters: now, now, limit.
SELECT id FROM smarttag_inbox
WHERE (state = 'pending' AND next_attempt_at <= ?)
   OR (state = 'processing' AND lease_until < ?)
ORDER BY next_attempt_at LIMIT ?
