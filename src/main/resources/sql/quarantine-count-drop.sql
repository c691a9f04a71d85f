-- A rejected body not kept because its source's quarantine is full. Parameter: source.
UPDATE smarttag_quarantine_usage SET dropped = dropped + 1 WHERE source = ?
