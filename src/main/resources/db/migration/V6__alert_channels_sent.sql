-- The channels (email, webhook) an alert has gone out on, comma-terminated ("email,"), so a retry
-- after one channel failed sends only the channels still owed: a chat outage does not repeat the mail.
ALTER TABLE smarttag_alert ADD COLUMN channels_sent VARCHAR(256) NOT NULL DEFAULT '';
