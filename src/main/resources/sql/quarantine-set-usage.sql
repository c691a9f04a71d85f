-- Parameter: the recomputed total.
UPDATE smarttag_quarantine_usage SET stored_bytes = ? WHERE id = 1
