-- Running backfills this instance may run: nobody's, its own, or one whose owner's lease ran out
-- (that instance died). Parameters: now, owner.
SELECT id FROM smarttag_backfill
WHERE state = 'running' AND (owner IS NULL OR lease_until < ? OR owner = ?)
ORDER BY created_at
