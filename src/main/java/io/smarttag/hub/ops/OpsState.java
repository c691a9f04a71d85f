package io.smarttag.hub.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.db.SqlFiles;
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

    private static final String BACKLOG = SqlFiles.load("ops-backlog");
    private static final String BACKLOG_DESTINATIONS = SqlFiles.load("ops-backlog-destinations");
    private static final String PARKED_DESTINATIONS = SqlFiles.load("ops-parked-destinations");
    private static final String OLDEST_PENDING = SqlFiles.load("ops-oldest-pending");
    private static final String PARKED = SqlFiles.load("ops-parked");
    private static final String FAILED_JOBS = SqlFiles.load("ops-failed-jobs");
    private static final String ALERTS = SqlFiles.load("ops-alerts");
    private static final String QUARANTINE_COUNT = SqlFiles.load("ops-quarantine-count");
    private static final String QUARANTINE = SqlFiles.load("ops-quarantine");
    static final String QUARANTINE_BODY = SqlFiles.load("ops-quarantine-body");

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
                backlog.putObject(s).put("events", 0).put("owing", "");
            }
            try (PreparedStatement ps = c.prepareStatement(BACKLOG); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ((ObjectNode) backlog.get(rs.getString("state"))).put("events", rs.getLong("events"));
                }
            }
            // "archive 3, webhook 1": what each configured or past destination still owes
            try (PreparedStatement ps = c.prepareStatement(BACKLOG_DESTINATIONS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode row = (ObjectNode) backlog.get(rs.getString("state"));
                    String owing = row.get("owing").asText();
                    row.put("owing", (owing.isEmpty() ? "" : owing + ", ") + rs.getString("destination") + " " + rs.getLong("owed"));
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
            try (PreparedStatement ps = limited(c, PARKED); ResultSet rs = ps.executeQuery()) {
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
                    try (PreparedStatement owed = c.prepareStatement(PARKED_DESTINATIONS)) {
                        owed.setString(1, rs.getString("id"));
                        try (ResultSet d = owed.executeQuery()) {
                            while (d.next()) {
                                appendIf(waiting, true, d.getString(1));
                            }
                        }
                    }
                    row.put("waitingFor", waiting.toString());
                }
            }
            ArrayNode failed = state.putArray("failedJobs");
            try (PreparedStatement ps = limited(c, FAILED_JOBS); ResultSet rs = ps.executeQuery()) {
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
            try (PreparedStatement ps = limited(c, ALERTS); ResultSet rs = ps.executeQuery()) {
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
            try (PreparedStatement ps = c.prepareStatement(QUARANTINE)) {
                ps.setInt(1, FIRST_BYTES);
                ps.setInt(2, LIST_LIMIT);
                try (ResultSet rs = ps.executeQuery()) {
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

    /** A list statement with its LIMIT bound. */
    private static PreparedStatement limited(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setInt(1, LIST_LIMIT);
        return ps;
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
