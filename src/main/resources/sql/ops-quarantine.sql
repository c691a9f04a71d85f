-- Operator page: recent quarantined bodies with their size and first bytes only (OCTET_LENGTH and
-- SUBSTRING ... FROM ... FOR on a binary column read the same in H2 and PostgreSQL).
-- Parameters: how many first bytes, the list limit.
SELECT id, received_at, source, reason, OCTET_LENGTH(body) AS size, SUBSTRING(body FROM 1 FOR ?) AS first_bytes
FROM smarttag_quarantine ORDER BY received_at DESC, id LIMIT ?
