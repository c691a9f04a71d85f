-- The decision made for a failed job and alert destination. Parameters: inbox id, destination.
SELECT mode FROM smarttag_alert WHERE inbox_id = ? AND destination = ?
