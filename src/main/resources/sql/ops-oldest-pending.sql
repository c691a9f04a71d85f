-- Operator page: when the oldest pending event was received.
SELECT MIN(received_at) FROM smarttag_inbox WHERE state = 'pending'
