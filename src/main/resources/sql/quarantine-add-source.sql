-- The usage row of a source seen for the first time. Parameter: source.
INSERT INTO smarttag_quarantine_usage (source, stored_bytes, dropped) VALUES (?, 0, 0)
ON CONFLICT DO NOTHING
