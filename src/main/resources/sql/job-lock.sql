-- The job row an earlier event wrote, locked until this transaction ends, so that two events of one
-- job are decided one after the other. Parameter: job_id.
SELECT event_time, received_at FROM smarttag_job WHERE job_id = ? FOR UPDATE
