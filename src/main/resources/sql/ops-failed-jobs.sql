-- Operator page: recent failed jobs (index smarttag_job_status). Parameter: the list limit.
SELECT job_id, media_id, code, message, event_time, processed_at
FROM smarttag_job WHERE status = 'fail' ORDER BY processed_at DESC LIMIT ?
