-- Bounded quarantine: a rejected body is kept as its first hub.quarantine.keep-bytes bytes, with
-- its full size and SHA-256; stored_bytes is what the entry counts against
-- hub.quarantine.max-total-bytes (kept body + reason + a fixed overhead per row).
ALTER TABLE smarttag_quarantine ADD COLUMN body_size BIGINT;
ALTER TABLE smarttag_quarantine ADD COLUMN body_sha256 VARCHAR(64);
ALTER TABLE smarttag_quarantine ADD COLUMN truncated BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE smarttag_quarantine ADD COLUMN stored_bytes BIGINT;

-- Rows from before: their body is complete (truncated FALSE), so its size is its length; the
-- SHA-256 stays NULL (it can be computed from the body). They count against the cap like any row.
UPDATE smarttag_quarantine
   SET body_size = OCTET_LENGTH(body),
       stored_bytes = OCTET_LENGTH(body) + OCTET_LENGTH(reason) + 512;
ALTER TABLE smarttag_quarantine ALTER COLUMN body_size SET NOT NULL;
ALTER TABLE smarttag_quarantine ALTER COLUMN stored_bytes SET NOT NULL;

-- Retention deletes by age.
CREATE INDEX smarttag_quarantine_received ON smarttag_quarantine (received_at);

-- One row per source (http, mns, ...): the running total of its stored_bytes, reserved by each
-- write in the same transaction as its row (so the cap holds across instances without a SUM per
-- rejection) and recounted from the table by the periodic cleanup; dropped counts bodies of that
-- source not kept because its cap was reached. Each source has its own cap, so a flood of HTTP
-- garbage cannot crowd out a poison queue message. Rows for new sources are added on first use.
CREATE TABLE smarttag_quarantine_usage (
    source       VARCHAR(16) NOT NULL PRIMARY KEY,
    stored_bytes BIGINT      NOT NULL,
    dropped      BIGINT      NOT NULL
);
INSERT INTO smarttag_quarantine_usage (source, stored_bytes, dropped)
SELECT source, SUM(stored_bytes), 0 FROM smarttag_quarantine GROUP BY source;
