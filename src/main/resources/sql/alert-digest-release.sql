-- A digest that could not be sent goes back, for the next window. Parameters: claim id, destination.
UPDATE smarttag_alert SET digest_claim = NULL, digest_sent_at = NULL WHERE digest_claim = ? AND destination = ?
