-- Backfills, newest first, for /ops and GET /observe/backfill. Parameter: limit.
SELECT * FROM smarttag_backfill ORDER BY created_at DESC LIMIT ?
