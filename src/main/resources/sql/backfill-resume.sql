-- Resume a paused backfill from its checkpoint. Parameters: now, id.
UPDATE smarttag_backfill SET state = 'running', updated_at = ? WHERE id = ? AND state = 'paused'
