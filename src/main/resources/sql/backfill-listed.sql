-- The number of archived events in the range, counted before delivering. Parameters: listed, now, id, owner.
UPDATE smarttag_backfill SET listed = ?, updated_at = ? WHERE id = ? AND owner = ? AND state = 'running'
