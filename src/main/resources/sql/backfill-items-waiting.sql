-- Failed items still to be retried (the backfill is not done while there are any). Parameter: backfill id.
SELECT COUNT(*) FROM smarttag_backfill_item WHERE backfill_id = ? AND state = 'pending'
