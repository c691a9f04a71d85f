-- Decide once per failed job and alert destination whether it is alerted on its own ('single') or
-- folded into the digest of its window ('digest'): single while fewer than max-single alerts of
-- this destination went out singly within the window. A retry finds the decision already made.
-- Parameters: inbox id, destination, job id, code, now, max single, destination, window start.
INSERT INTO smarttag_alert (inbox_id, destination, job_id, code, created_at, mode)
SELECT ?, ?, ?, ?, ?, CASE WHEN COUNT(*) < ? THEN 'single' ELSE 'digest' END
FROM smarttag_alert WHERE destination = ? AND mode = 'single' AND created_at > ?
ON CONFLICT DO NOTHING
