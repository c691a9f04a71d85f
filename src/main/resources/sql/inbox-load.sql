-- A claimed event: its raw body, when it was received, the attempts so far and when it was last
-- done (null if never). Parameter: id.
SELECT body, received_at, attempts, done_at FROM smarttag_inbox WHERE id = ?
