-- Core v2: each destination's delivery of an event has its own row, state, attempts and backoff,
-- so a destination is configuration (hub.destinations), not a column. Written for H2 (MODE=PostgreSQL)
-- and PostgreSQL alike.
--   state: pending (not delivered yet, next try at next_attempt_at), done, parked (gave up after
--   hub.retry.max-attempts; an operator replays it). A destination that has never been tried for an
--   event has no row: the engine treats that as pending and due.
CREATE TABLE smarttag_delivery (
    inbox_id        VARCHAR(36)   NOT NULL,
    destination     VARCHAR(64)   NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    attempts        INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error      VARCHAR(2000),
    done_at         TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (inbox_id, destination)
);
CREATE INDEX smarttag_delivery_state ON smarttag_delivery (state, destination);

-- The three flags become rows of the three destinations of the default configuration. A flag that
-- an event never needed (no rows for a non-tag event, no alert for a success) gives no row.
-- Attempts were counted per event; they are carried over to each destination not yet done.
INSERT INTO smarttag_delivery (inbox_id, destination, state, attempts, next_attempt_at, last_error, done_at)
SELECT id, 'database',
       CASE WHEN db_done THEN 'done' WHEN state = 'parked' THEN 'parked' ELSE 'pending' END,
       attempts, next_attempt_at,
       CASE WHEN db_done THEN NULL ELSE last_error END,
       CASE WHEN db_done THEN COALESCE(done_at, received_at) END
FROM smarttag_inbox WHERE event_type = 'AIVideoTagComplete';

INSERT INTO smarttag_delivery (inbox_id, destination, state, attempts, next_attempt_at, last_error, done_at)
SELECT id, 'archive',
       CASE WHEN archive_done THEN 'done' WHEN state = 'parked' THEN 'parked' ELSE 'pending' END,
       attempts, next_attempt_at,
       CASE WHEN archive_done THEN NULL ELSE last_error END,
       CASE WHEN archive_done THEN COALESCE(done_at, received_at) END
FROM smarttag_inbox;

INSERT INTO smarttag_delivery (inbox_id, destination, state, attempts, next_attempt_at, last_error, done_at)
SELECT id, 'alert',
       CASE WHEN alert_done THEN 'done' WHEN state = 'parked' THEN 'parked' ELSE 'pending' END,
       attempts, next_attempt_at,
       CASE WHEN alert_done THEN NULL ELSE last_error END,
       CASE WHEN alert_done THEN COALESCE(done_at, received_at) END
FROM smarttag_inbox WHERE event_type = 'AIVideoTagComplete' AND status = 'fail';

ALTER TABLE smarttag_inbox DROP COLUMN db_done;
ALTER TABLE smarttag_inbox DROP COLUMN archive_done;
ALTER TABLE smarttag_inbox DROP COLUMN alert_done;

-- Alert storms are decided per alert destination (two teams, two windows): the alert log's key
-- becomes (inbox_id, destination). Rebuilt and renamed, the one way H2 and PostgreSQL share.
CREATE TABLE smarttag_alert_v5 (
    inbox_id       VARCHAR(36)  NOT NULL,
    destination    VARCHAR(64)  NOT NULL,
    job_id         VARCHAR(256) NOT NULL,
    code           VARCHAR(256),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    mode           VARCHAR(8)   NOT NULL,
    digest_claim   VARCHAR(36),
    digest_sent_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (inbox_id, destination)
);
INSERT INTO smarttag_alert_v5 (inbox_id, destination, job_id, code, created_at, mode, digest_claim, digest_sent_at)
SELECT inbox_id, 'alert', job_id, code, created_at, mode, digest_claim, digest_sent_at FROM smarttag_alert;
DROP TABLE smarttag_alert;
ALTER TABLE smarttag_alert_v5 RENAME TO smarttag_alert;
CREATE INDEX smarttag_alert_window ON smarttag_alert (destination, mode, created_at);
CREATE INDEX smarttag_alert_digest ON smarttag_alert (mode, digest_sent_at);
CREATE INDEX smarttag_alert_created ON smarttag_alert (created_at);
