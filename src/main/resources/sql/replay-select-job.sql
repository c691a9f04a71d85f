-- Replay to one destination: a job's events, whatever their state, except one being processed now,
-- with what the routing makes of them (success, fail, other). Parameter: job id.
SELECT id, CASE WHEN event_type <> 'AIVideoTagComplete' THEN 'other' ELSE status END AS kind
FROM smarttag_inbox WHERE job_id = ? AND state <> 'processing'
