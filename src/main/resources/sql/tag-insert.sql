-- One tag occurrence; MultiRowInsert repeats the VALUES group for many rows in one statement. Parameters in EventRows' column order.
INSERT INTO smarttag_tag (job_id, media_id, category, tag, time_ms, face_url, item_index) VALUES (?, ?, ?, ?, ?, ?, ?)
