-- Holds the running totals while they are recounted, so no write reserves room in between.
SELECT source FROM smarttag_quarantine_usage FOR UPDATE
