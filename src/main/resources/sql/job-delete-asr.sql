-- The ASR rows of a job, before they are written again. Parameter: job_id.
DELETE FROM smarttag_asr WHERE job_id = ?
