-- Replace the job row with this event's values. Parameters: media_id, status, code, message,
-- event_time, received_at, processed_at, tag_count, archive_key, job_id.
UPDATE smarttag_job SET media_id = ?, status = ?, code = ?, message = ?, event_time = ?, received_at = ?,
       processed_at = ?, tag_count = ?, archive_key = ?
WHERE job_id = ?
