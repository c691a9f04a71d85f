-- One ASR sentence (batched). Parameters in EventRows' column order.
INSERT INTO smarttag_asr (job_id, seq, start_ms, end_ms, text, channel_id, speech_rate) VALUES (?, ?, ?, ?, ?, ?, ?)
