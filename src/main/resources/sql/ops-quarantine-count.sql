-- Operator page: how many bodies the quarantine table holds.
SELECT COUNT(*) FROM smarttag_quarantine
