-- The backlog for the metrics. First part: deliveries not done, per destination and state ('processing'
-- while their event is being worked on). Second part: events not routed yet (no delivery row), by
-- kind; the caller counts them for each destination that takes their kind. Only rows that are not
-- done are read (state indexes), never the history of done ones.
SELECT d.destination AS destination, CASE WHEN i.state = 'processing' THEN 'processing' ELSE d.state END AS state,
       CAST(NULL AS VARCHAR(256)) AS event_type, CAST(NULL AS VARCHAR(16)) AS status,
       COUNT(*) AS events, MIN(i.received_at) AS oldest
FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id
WHERE d.state IN ('pending', 'parked')
GROUP BY d.destination, CASE WHEN i.state = 'processing' THEN 'processing' ELSE d.state END
UNION ALL
SELECT CAST(NULL AS VARCHAR(64)), i.state, i.event_type, i.status, COUNT(*), MIN(i.received_at)
FROM smarttag_inbox i
WHERE i.state IN ('pending', 'processing')
  AND NOT EXISTS (SELECT 1 FROM smarttag_delivery d WHERE d.inbox_id = i.id)
GROUP BY i.state, i.event_type, i.status
