-- One row per failed-job alert, deciding once whether it is mailed on its own ('single') or folded
-- into the digest of its window ('digest'), so a storm of failures does not become a storm of mail.
-- digest_claim/digest_sent_at let one instance at a time send a digest and resend it if sending failed.
CREATE TABLE smarttag_alert (
    inbox_id       VARCHAR(36)  NOT NULL PRIMARY KEY,
    job_id         VARCHAR(256) NOT NULL,
    code           VARCHAR(256),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    mode           VARCHAR(8)   NOT NULL,
    digest_claim   VARCHAR(36),
    digest_sent_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX smarttag_alert_window ON smarttag_alert (mode, created_at);
CREATE INDEX smarttag_alert_digest ON smarttag_alert (mode, digest_sent_at);
