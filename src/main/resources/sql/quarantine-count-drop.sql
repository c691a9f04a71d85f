-- A rejected body not kept because the quarantine is full.
UPDATE smarttag_quarantine_usage SET dropped = dropped + 1 WHERE id = 1
