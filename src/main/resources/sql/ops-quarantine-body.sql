-- Operator page: one quarantined body, for download. Parameter: its id.
SELECT body FROM smarttag_quarantine WHERE id = ?
