-- Operator page: of the events not done, how many each destination still owes, per event state.
SELECT i.state AS state, d.destination AS destination, COUNT(*) AS owed
FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id
WHERE i.state IN ('pending', 'processing', 'parked') AND d.state NOT IN ('done', 'skipped')
GROUP BY i.state, d.destination ORDER BY d.destination
