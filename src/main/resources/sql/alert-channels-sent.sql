-- The channels a failed job's alert has gone out on at a destination. Parameters: inbox id, destination.
SELECT channels_sent FROM smarttag_alert WHERE inbox_id = ? AND destination = ?
