-- Reserves room for one quarantine entry against its source's cap: 1 row updated = room reserved,
-- 0 = full (or no row for this source yet). Parameters: entry bytes, source, entry bytes, cap.
UPDATE smarttag_quarantine_usage
   SET stored_bytes = stored_bytes + ?
 WHERE source = ? AND stored_bytes + ? <= ?
