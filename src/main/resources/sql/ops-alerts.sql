-- Operator page: recent alerts (index smarttag_alert_created). Parameter: the list limit.
SELECT inbox_id, job_id, code, created_at, mode, digest_sent_at
FROM smarttag_alert ORDER BY created_at DESC LIMIT ?
