-- The alerts of a claimed digest, per destination in the order they failed. Parameter: claim id.
SELECT destination, job_id, code FROM smarttag_alert WHERE digest_claim = ? ORDER BY destination, created_at
