-- The backlog for the metrics: events not done, grouped by state and by which destinations are
-- done. Only rows that are not done are read (the state index), never the history of done ones.
SELECT state, db_done, archive_done, alert_done, COUNT(*) AS events, MIN(received_at) AS oldest
FROM smarttag_inbox
WHERE state IN ('pending', 'processing', 'parked')
GROUP BY state, db_done, archive_done, alert_done
