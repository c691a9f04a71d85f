package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.VodEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The raw-JDBC limits the hub is compared with: the same SQL the hub runs, on the same PostgreSQL
 * and tables, from plain JDBC with one connection per thread and nothing else (no HTTP, no Camel,
 * no JSON work; the rows are prepared once).
 */
final class RawJdbcBaseline {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RawJdbcBaseline() {
    }

    /**
     * The accept path's limit: one INSERT into smarttag_inbox per commit (autocommit), the same
     * columns and body as the hub's accept step. Rows go in as state 'done' with source 'bench-raw'
     * so the hub's sweep never picks them up; the table, its indexes and the row size are the same.
     */
    static LoadDriver.OpFactory singleInsert(Db db, String jobPrefix, byte[] body) {
        return () -> {
            Connection c = db.connect();
            c.setAutoCommit(true);
            PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO smarttag_inbox (id, dedup_key, event_type, job_id, media_id, status, source, body,
                    received_at, state, attempts, next_attempt_at)
                    VALUES (?, ?, 'AIVideoTagComplete', ?, 'bench-media', 'success', 'bench-raw', ?, ?, 'done', 0, ?)
                    ON CONFLICT DO NOTHING""");
            return new LoadDriver.Op() {
                @Override
                public void call(long seq) throws Exception {
                    String jobId = jobPrefix + seq;
                    Timestamp now = new Timestamp(System.currentTimeMillis());
                    ps.setString(1, UUID.randomUUID().toString());
                    ps.setString(2, "AIVideoTagComplete|" + jobId + "|success");
                    ps.setString(3, jobId);
                    ps.setBytes(4, body);
                    ps.setTimestamp(5, now);
                    ps.setTimestamp(6, now);
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("not inserted: " + jobId);
                    }
                }

                @Override
                public void close() throws Exception {
                    c.close();
                }
            };
        };
    }

    /**
     * The database destination's limit: per event one transaction with the job row and its tag rows
     * as one JDBC batch, the same statements the hub's store step runs (its deletes of earlier rows,
     * inbox flags and archive are not part of this limit).
     */
    static LoadDriver.OpFactory jobWithTags(Db db, String jobPrefix, byte[] event) throws Exception {
        VodEvent parsed = JSON.readValue(event, VodEvent.class);
        List<Map<String, Object>> tags = new EventRows().rows(parsed).tags();
        return rowsInTransaction(db, (job, tag, seq) -> {
            String jobId = jobPrefix + seq;
            bindJob(job, parsed, jobId, tags.size());
            job.executeUpdate();
            addTags(tag, tags, jobId);
            tag.executeBatch();
        });
    }

    /**
     * The database destination's limit when rows are batched across events: per transaction the
     * job rows of eventsPerTransaction events as one JDBC batch and all their tag rows as another
     * (the same statements as {@link #jobWithTags}); one call is one transaction of that many events.
     */
    static LoadDriver.OpFactory jobsWithTagsBatched(Db db, String jobPrefix, byte[] event, int eventsPerTransaction)
            throws Exception {
        if (eventsPerTransaction < 1) {
            throw new IllegalArgumentException("bench.raw-batch-events must be at least 1");
        }
        VodEvent parsed = JSON.readValue(event, VodEvent.class);
        List<Map<String, Object>> tags = new EventRows().rows(parsed).tags();
        return rowsInTransaction(db, (job, tag, seq) -> {
            for (int k = 0; k < eventsPerTransaction; k++) {
                bindJob(job, parsed, jobPrefix + seq + "-" + k, tags.size());
                job.addBatch();
            }
            job.executeBatch();
            for (int k = 0; k < eventsPerTransaction; k++) {
                addTags(tag, tags, jobPrefix + seq + "-" + k);
            }
            tag.executeBatch();
        });
    }

    /** What one call writes with the job and tag statements, before its commit. */
    private interface RowsWriter {
        void write(PreparedStatement job, PreparedStatement tag, long seq) throws SQLException;
    }

    /** One connection per thread with the job and tag statements prepared once; each call is one transaction. */
    private static LoadDriver.OpFactory rowsInTransaction(Db db, RowsWriter writer) {
        return () -> {
            Connection c = db.connect();
            c.setAutoCommit(false);
            PreparedStatement job = c.prepareStatement(INSERT_JOB);
            PreparedStatement tag = c.prepareStatement(INSERT_TAG);
            return new LoadDriver.Op() {
                @Override
                public void call(long seq) throws Exception {
                    writer.write(job, tag, seq);
                    c.commit();
                }

                @Override
                public void close() throws Exception {
                    c.close();
                }
            };
        };
    }

    private static final String INSERT_JOB = """
            INSERT INTO smarttag_job (job_id, media_id, status, code, message, event_time, received_at,
            processed_at, tag_count, archive_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String INSERT_TAG = """
            INSERT INTO smarttag_tag (job_id, media_id, category, tag, time_ms, face_url, item_index)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private static void bindJob(PreparedStatement job, VodEvent parsed, String jobId, int tagCount) throws SQLException {
        Timestamp now = new Timestamp(System.currentTimeMillis());
        job.setString(1, jobId);
        job.setString(2, parsed.getMediaId());
        job.setString(3, parsed.getStatus());
        job.setString(4, parsed.getCode());
        job.setString(5, parsed.getMessage());
        job.setTimestamp(6, now);
        job.setTimestamp(7, now);
        job.setTimestamp(8, now);
        job.setInt(9, tagCount);
        job.setString(10, "vod-events/bench/" + jobId + ".json");
    }

    /** The event's tag rows added to the tag statement's batch. */
    private static void addTags(PreparedStatement tag, List<Map<String, Object>> tags, String jobId) throws SQLException {
        for (Map<String, Object> row : tags) {
            tag.setString(1, jobId);
            tag.setString(2, (String) row.get("mediaId"));
            tag.setString(3, (String) row.get("category"));
            tag.setString(4, (String) row.get("tag"));
            if (row.get("timeMs") == null) {
                tag.setNull(5, Types.BIGINT);
            } else {
                tag.setLong(5, (Long) row.get("timeMs"));
            }
            tag.setString(6, (String) row.get("faceUrl"));
            tag.setInt(7, (Integer) row.get("itemIndex"));
            tag.addBatch();
        }
    }
}
