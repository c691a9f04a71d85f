-- Schema of smarttag-hub. Written once for both H2 (MODE=PostgreSQL) and PostgreSQL.

-- Every accepted event, stored before the source is answered. dedup_key (EventType|JobId|Status)
-- makes a repeated delivery a no-op. The *_done flags track each destination separately, so a
-- retry repeats only the destination that failed; flags a kind of event does not need start TRUE.
CREATE TABLE smarttag_inbox (
    id              VARCHAR(36)  NOT NULL PRIMARY KEY,
    dedup_key       VARCHAR(600) NOT NULL UNIQUE,
    event_type      VARCHAR(256) NOT NULL,
    job_id          VARCHAR(256) NOT NULL,
    media_id        VARCHAR(256),
    status          VARCHAR(16)  NOT NULL,
    source          VARCHAR(16)  NOT NULL,
    body            BYTEA        NOT NULL,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_until     TIMESTAMP WITH TIME ZONE,
    db_done         BOOLEAN      NOT NULL DEFAULT FALSE,
    archive_done    BOOLEAN      NOT NULL DEFAULT FALSE,
    alert_done      BOOLEAN      NOT NULL DEFAULT FALSE,
    archive_key     VARCHAR(1024),
    last_error      VARCHAR(2000),
    done_at         TIMESTAMP WITH TIME ZONE
);
CREATE INDEX smarttag_inbox_due ON smarttag_inbox (state, next_attempt_at);

-- Bodies that were rejected (not JSON, not an event, unreadable queue messages), kept for inspection.
CREATE TABLE smarttag_quarantine (
    id          VARCHAR(36)   NOT NULL PRIMARY KEY,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    source      VARCHAR(16)   NOT NULL,
    reason      VARCHAR(2000) NOT NULL,
    body        BYTEA         NOT NULL
);

-- One row per smart-tag job (the latest status received for it).
CREATE TABLE smarttag_job (
    job_id       VARCHAR(256) NOT NULL PRIMARY KEY,
    media_id     VARCHAR(256),
    status       VARCHAR(16)  NOT NULL,
    code         VARCHAR(256),
    message      VARCHAR(2000),
    event_time   TIMESTAMP WITH TIME ZONE,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    processed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    tag_count    INTEGER      NOT NULL,
    archive_key  VARCHAR(1024)
);

-- One row per tag occurrence: an item with n Times gives n rows; an item without Times gives one
-- row with time_ms NULL. item_index is the item's position in its category list.
CREATE TABLE smarttag_tag (
    job_id     VARCHAR(256) NOT NULL,
    media_id   VARCHAR(256),
    category   VARCHAR(256) NOT NULL,
    tag        VARCHAR      NOT NULL,
    time_ms    BIGINT,
    face_url   VARCHAR,
    item_index INTEGER      NOT NULL
);
CREATE INDEX smarttag_tag_job ON smarttag_tag (job_id);
CREATE INDEX smarttag_tag_tag ON smarttag_tag (category, tag);

-- One row per ASR sentence of OrigASRData.
CREATE TABLE smarttag_asr (
    job_id      VARCHAR(256) NOT NULL,
    seq         INTEGER      NOT NULL,
    start_ms    BIGINT,
    end_ms      BIGINT,
    text        VARCHAR,
    channel_id  INTEGER,
    speech_rate INTEGER,
    PRIMARY KEY (job_id, seq)
);
