-- One ASR sentence; MultiRowInsert repeats the VALUES group for many rows in one statement. Parameters in EventRows' column order.
INSERT INTO smarttag_asr (job_id, seq, start_ms, end_ms, text, channel_id, speech_rate) VALUES (?, ?, ?, ?, ?, ?, ?)
