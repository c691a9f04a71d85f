-- Event status after retention: the job row (the product, kept) says where its latest event is
-- archived. Parameter: job id.
SELECT status, event_time, processed_at, archive_key FROM smarttag_job WHERE job_id = ?
