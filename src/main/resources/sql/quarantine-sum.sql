-- The true total, recomputed once per cleanup interval (never per rejection).
SELECT COALESCE(SUM(stored_bytes), 0) FROM smarttag_quarantine
