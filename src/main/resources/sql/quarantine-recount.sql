-- The true totals, recounted once per cleanup interval (never per rejection).
UPDATE smarttag_quarantine_usage
   SET stored_bytes = COALESCE((SELECT SUM(q.stored_bytes) FROM smarttag_quarantine q
                                 WHERE q.source = smarttag_quarantine_usage.source), 0)
