-- Reserves room for one quarantine entry against the cap: 1 row updated = room reserved, 0 = full.
-- Parameters: entry bytes, entry bytes, cap.
UPDATE smarttag_quarantine_usage
   SET stored_bytes = stored_bytes + ?
 WHERE id = 1 AND stored_bytes + ? <= ?
