-- A new backfill, running. active_destination = destination: a second active backfill of the same
-- destination breaks its UNIQUE constraint (one per destination at a time).
-- Parameters: id, destination, destination, archive, from, to, kinds, filter, created, updated.
INSERT INTO smarttag_backfill (id, destination, active_destination, archive, from_date, to_date, kinds, filter,
                               state, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)
