-- Replay to one destination: a job's events, whatever their state, except one being processed now.
-- Parameter: job id.
SELECT id FROM smarttag_inbox WHERE job_id = ? AND state <> 'processing'
