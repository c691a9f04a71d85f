-- Operator page: events not done, per state.
SELECT state, COUNT(*) AS events FROM smarttag_inbox WHERE state IN ('pending', 'processing', 'parked') GROUP BY state
