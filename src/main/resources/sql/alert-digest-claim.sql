-- Claim the folded alerts not yet sent, so that one instance sends each digest.
-- Parameters: claim id, now.
UPDATE smarttag_alert SET digest_claim = ?, digest_sent_at = ? WHERE mode = 'digest' AND digest_sent_at IS NULL
