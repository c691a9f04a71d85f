package io.smarttag.hub.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import javax.sql.DataSource;

/**
 * What the operator page shows, read with a few cheap queries (counts grouped by the indexed
 * state, short lists with a LIMIT). Written once for H2 (MODE=PostgreSQL) and PostgreSQL, and
 * reading only the quarantine columns of V1, so it works before and after later migrations.
 */
final class OpsState {

    static final int LIST_LIMIT = 50;
    static final int FIRST_BYTES = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String BACKLOG = "SELECT state, COUNT(*) AS events,"
            + " SUM(CASE WHEN db_done THEN 0 ELSE 1 END) AS db,"
            + " SUM(CASE WHEN archive_done THEN 0 ELSE 1 END) AS archive,"
            + " SUM(CASE WHEN alert_done THEN 0 ELSE 1 END) AS alert"
            + " FROM smarttag_inbox WHERE state IN ('pending', 'processing', 'parked') GROUP BY state";
    private static final String OLDEST_PENDING = "SELECT MIN(received_at) FROM smarttag_inbox WHERE state = 'pending'";
    private static final String PARKED = "SELECT id, job_id, media_id, status, attempts, last_error, received_at,"
            + " db_done, archive_done, alert_done FROM smarttag_inbox WHERE state = 'parked'"
            + " ORDER BY received_at, id LIMIT " + LIST_LIMIT;
    private static final String FAILED_JOBS = "SELECT job_id, media_id, code, message, event_time, processed_at"
            + " FROM smarttag_job WHERE status = 'fail' ORDER BY processed_at DESC LIMIT " + LIST_LIMIT;
    private static final String ALERTS = "SELECT inbox_id, job_id, code, created_at, mode, digest_sent_at"
            + " FROM smarttag_alert ORDER BY created_at DESC LIMIT " + LIST_LIMIT;
    private static final String QUARANTINE_COUNT = "SELECT COUNT(*) FROM smarttag_quarantine";
    // OCTET_LENGTH and SUBSTRING(... FROM ... FOR ...) on a binary column: the same in H2 and
    // PostgreSQL, so only the first bytes of each body leave the database.
    private static final String QUARANTINE = "SELECT id, received_at, source, reason, OCTET_LENGTH(body) AS size,"
            + " SUBSTRING(body FROM 1 FOR " + FIRST_BYTES + ") AS first_bytes"
            + " FROM smarttag_quarantine ORDER BY received_at DESC, id LIMIT " + LIST_LIMIT;
    static final String QUARANTINE_BODY = "SELECT body FROM smarttag_quarantine WHERE id = ?";

    private final DataSource dataSource;
    private final Clock clock;

    OpsState(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    ObjectNode read() throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(clock);
        ObjectNode state = JSON.createObjectNode();
        state.put("now", now.toString());
        try (Connection c = dataSource.getConnection()) {
            ObjectNode backlog = state.putObject("backlog");
            for (String s : new String[] {"pending", "processing", "parked"}) {
                backlog.putObject(s).put("events", 0).put("database", 0).put("archive", 0).put("alert", 0);
            }
            try (PreparedStatement ps = c.prepareStatement(BACKLOG); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    backlog.putObject(rs.getString("state"))
                            .put("events", rs.getLong("events")).put("database", rs.getLong("db"))
                            .put("archive", rs.getLong("archive")).put("alert", rs.getLong("alert"));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(OLDEST_PENDING); ResultSet rs = ps.executeQuery()) {
                OffsetDateTime oldest = rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
                if (oldest == null) {
                    state.putNull("oldestPending");
                    state.putNull("oldestPendingAgeSeconds");
                } else {
                    state.put("oldestPending", oldest.toString());
                    state.put("oldestPendingAgeSeconds", Math.max(0, Duration.between(oldest, now).toSeconds()));
                }
            }
            ArrayNode parked = state.putArray("parked");
            try (PreparedStatement ps = c.prepareStatement(PARKED); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode row = parked.addObject();
                    row.put("id", rs.getString("id"));
                    row.put("jobId", rs.getString("job_id"));
                    row.put("mediaId", rs.getString("media_id"));
                    row.put("status", rs.getString("status"));
                    row.put("attempts", rs.getInt("attempts"));
                    row.put("lastError", rs.getString("last_error"));
                    row.put("receivedAt", time(rs, "received_at"));
                    StringBuilder waiting = new StringBuilder();
                    appendIf(waiting, !rs.getBoolean("db_done"), "database");
                    appendIf(waiting, !rs.getBoolean("archive_done"), "archive");
                    appendIf(waiting, !rs.getBoolean("alert_done"), "alert");
                    row.put("waitingFor", waiting.toString());
                }
            }
            ArrayNode failed = state.putArray("failedJobs");
            try (PreparedStatement ps = c.prepareStatement(FAILED_JOBS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    failed.addObject()
                            .put("jobId", rs.getString("job_id"))
                            .put("mediaId", rs.getString("media_id"))
                            .put("code", rs.getString("code"))
                            .put("message", rs.getString("message"))
                            .put("eventTime", time(rs, "event_time"))
                            .put("processedAt", time(rs, "processed_at"));
                }
            }
            ArrayNode alerts = state.putArray("alerts");
            try (PreparedStatement ps = c.prepareStatement(ALERTS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alerts.addObject()
                            .put("jobId", rs.getString("job_id"))
                            .put("code", rs.getString("code"))
                            .put("createdAt", time(rs, "created_at"))
                            .put("mode", rs.getString("mode"))
                            .put("digestSentAt", time(rs, "digest_sent_at"));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(QUARANTINE_COUNT); ResultSet rs = ps.executeQuery()) {
                state.put("quarantineTotal", rs.next() ? rs.getLong(1) : 0);
            }
            ArrayNode quarantine = state.putArray("quarantine");
            try (PreparedStatement ps = c.prepareStatement(QUARANTINE); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    quarantine.addObject()
                            .put("id", rs.getString("id"))
                            .put("receivedAt", time(rs, "received_at"))
                            .put("source", rs.getString("source"))
                            .put("reason", rs.getString("reason"))
                            .put("size", rs.getLong("size"))
                            .put("firstBytes", escape(rs.getBytes("first_bytes")));
                }
            }
        }
        state.put("listLimit", LIST_LIMIT);
        return state;
    }

    /** The stored body of a quarantine row, or null if there is none with this id. */
    byte[] quarantineBody(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(QUARANTINE_BODY)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    /** Bytes as readable text: printable ASCII as is, \n \r \t \\ escaped, any other byte as \xNN. */
    static String escape(byte[] bytes) {
        if (bytes == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int v = b & 0xff;
            switch (v) {
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                case '\\' -> text.append("\\\\");
                default -> {
                    if (v >= 0x20 && v < 0x7f) {
                        text.append((char) v);
                    } else {
                        text.append(String.format("\\x%02x", v));
                    }
                }
            }
        }
        return text.toString();
    }

    private static String time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toString();
    }

    private static void appendIf(StringBuilder list, boolean condition, String name) {
        if (condition) {
            list.append(list.length() == 0 ? "" : ", ").append(name);
        }
    }
}
