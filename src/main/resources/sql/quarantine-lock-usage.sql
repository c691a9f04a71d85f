-- Holds the running total while it is recomputed, so no write reserves room in between.
SELECT stored_bytes FROM smarttag_quarantine_usage WHERE id = 1 FOR UPDATE
