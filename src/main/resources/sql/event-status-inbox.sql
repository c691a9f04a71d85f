-- Event status (GET /observe/events, the /ops search): a job's events in the inbox, oldest first.
-- Parameter: job id.
SELECT id, source, received_at, event_type, status, state, archive_key, body
FROM smarttag_inbox WHERE job_id = ? ORDER BY received_at, id
