-- Takes a running backfill for this instance until lease_until, if it still may (the condition of
-- backfill-due.sql, re-checked: of two instances only one UPDATE matches).
-- Parameters: owner, lease until, now (started), now (updated), id, now, owner.
UPDATE smarttag_backfill SET owner = ?, lease_until = ?, started_at = COALESCE(started_at, ?), updated_at = ?
WHERE id = ? AND state = 'running' AND (owner IS NULL OR lease_until < ? OR owner = ?)
