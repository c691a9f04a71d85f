-- Retention. Parameter: received before this time.
DELETE FROM smarttag_quarantine WHERE received_at < ?
