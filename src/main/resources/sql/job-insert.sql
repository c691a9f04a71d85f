-- The job row of an event, if the job has none yet (a first delivery). Parameters: job_id, media_id,
-- status, code, message, event_time, received_at, processed_at, tag_count, archive_key.
INSERT INTO smarttag_job (job_id, media_id, status, code, message, event_time, received_at, processed_at, tag_count, archive_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
