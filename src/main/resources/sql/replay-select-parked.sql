-- Replay: parked events, all of them or one job's (parameter: job id twice, or NULL twice).
SELECT id FROM smarttag_inbox WHERE state = 'parked' AND (CAST(? AS VARCHAR(256)) IS NULL OR job_id = ?)
