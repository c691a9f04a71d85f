-- One backfill. Parameter: id.
SELECT * FROM smarttag_backfill WHERE id = ?
