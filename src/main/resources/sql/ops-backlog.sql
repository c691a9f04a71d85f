-- Operator page: events not done, per state, and how many of them each destination still owes.
SELECT state, COUNT(*) AS events,
       SUM(CASE WHEN db_done THEN 0 ELSE 1 END) AS db,
       SUM(CASE WHEN archive_done THEN 0 ELSE 1 END) AS archive,
       SUM(CASE WHEN alert_done THEN 0 ELSE 1 END) AS alert
FROM smarttag_inbox WHERE state IN ('pending', 'processing', 'parked') GROUP BY state
