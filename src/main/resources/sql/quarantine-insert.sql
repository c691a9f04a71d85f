-- One quarantined body. Parameters: id, received_at, source, reason, kept body (first keep-bytes
-- bytes), body_size, body_sha256, truncated, stored_bytes.
INSERT INTO smarttag_quarantine
       (id, received_at, source, reason, body, body_size, body_sha256, truncated, stored_bytes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
