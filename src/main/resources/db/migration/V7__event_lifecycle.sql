-- Event lifecycle (issue 19): "where is job X?", inbox retention and backfill from the archive.
-- Written for H2 (MODE=PostgreSQL) and PostgreSQL alike.

-- GET /observe/events?job= and the /ops search read a job's events by JobId.
CREATE INDEX smarttag_inbox_job ON smarttag_inbox (job_id);
-- Retention takes the oldest done events first.
CREATE INDEX smarttag_inbox_done ON smarttag_inbox (state, done_at);

-- One backfill: the archived events of one destination's date range (by EventTime, the archive's
-- partitioning), delivered to that destination only. active_destination is the destination while
-- the backfill is running or paused and NULL once it is done or cancelled: its UNIQUE constraint
-- (NULLs never collide) allows one backfill per destination at a time, across instances.
--   cursor_key: the last archive key handled, in listing order (keys sort by date): the checkpoint.
--   owner, lease_until: the instance running it now; another takes over once the lease ran out.
--   listed: keys in the range (counted first); handled: keys the cursor has passed; delivered,
--   skipped, failed (attempts that failed), parked: the outcomes; kinds: the extra filter (success, fail, other), empty for all.
CREATE TABLE smarttag_backfill (
    id                 VARCHAR(36)   NOT NULL PRIMARY KEY,
    destination        VARCHAR(64)   NOT NULL,
    active_destination VARCHAR(64)   UNIQUE,
    archive            VARCHAR(64)   NOT NULL,
    from_date          DATE          NOT NULL,
    to_date            DATE          NOT NULL,
    kinds              VARCHAR(64)   NOT NULL,
    filter             VARCHAR(4000),
    state              VARCHAR(16)   NOT NULL,
    listed             BIGINT,
    cursor_key         VARCHAR(1024),
    handled            BIGINT        NOT NULL DEFAULT 0,
    delivered          BIGINT        NOT NULL DEFAULT 0,
    skipped            BIGINT        NOT NULL DEFAULT 0,
    failed             BIGINT        NOT NULL DEFAULT 0,
    parked             BIGINT        NOT NULL DEFAULT 0,
    owner              VARCHAR(64),
    lease_until        TIMESTAMP WITH TIME ZONE,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at         TIMESTAMP WITH TIME ZONE,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at        TIMESTAMP WITH TIME ZONE,
    last_error         VARCHAR(2000)
);
CREATE INDEX smarttag_backfill_state ON smarttag_backfill (state, created_at);

-- Backfilled events whose delivery failed: retried with the hub's backoff (hub.retry.*) and parked
-- after hub.retry.max-attempts, as live deliveries are. Only failures get a row: a backfill writes
-- nothing per event that was delivered. state: pending, parked, done.
CREATE TABLE smarttag_backfill_item (
    backfill_id     VARCHAR(36)   NOT NULL,
    archive_key     VARCHAR(1024) NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    attempts        INTEGER       NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error      VARCHAR(2000),
    PRIMARY KEY (backfill_id, archive_key)
);
