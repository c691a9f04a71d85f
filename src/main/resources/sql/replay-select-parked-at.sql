-- Replay to one destination: every event that destination parked. Parameter: destination.
SELECT i.id FROM smarttag_inbox i JOIN smarttag_delivery d ON d.inbox_id = i.id
WHERE d.destination = ? AND d.state = 'parked' AND i.state <> 'processing'
