-- One more channel done for a failed job's alert. Parameters: channel, inbox id, destination.
UPDATE smarttag_alert SET channels_sent = channels_sent || ? || ',' WHERE inbox_id = ? AND destination = ?
