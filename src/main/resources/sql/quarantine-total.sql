-- What the table's entries count in all (for QuarantineMetrics).
SELECT COALESCE(SUM(stored_bytes), 0) FROM smarttag_quarantine_usage
