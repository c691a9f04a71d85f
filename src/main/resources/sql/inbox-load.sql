-- A claimed event: its raw body, when it was received and the attempts so far. Parameter: id.
SELECT body, received_at, attempts FROM smarttag_inbox WHERE id = ?
