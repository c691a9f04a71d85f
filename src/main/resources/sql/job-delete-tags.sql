-- The tag rows of a job, before they are written again. Parameter: job_id.
DELETE FROM smarttag_tag WHERE job_id = ?
