-- After backfill-unpark.sql: they are no longer counted as parked. Parameters: unparked, id.
UPDATE smarttag_backfill SET parked = parked - ? WHERE id = ?
