package io.smarttag.hub.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's own view of the hub's PostgreSQL: end-to-end results are computed in SQL from the
 * hub's timestamps (received_at when the event entered the inbox, processed_at when its rows were
 * written, done_at when every destination incl. the archive was done), so no clock of this JVM is
 * involved.
 */
final class Db {

    final String url;
    final String user;
    final String password;

    Db(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    Connection connect() throws Exception {
        return DriverManager.getConnection(url, user, password);
    }

    Map<String, Object> row(String sql, Object... args) throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Object> row = new LinkedHashMap<>();
                if (rs.next()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        row.put(meta.getColumnLabel(col), rs.getObject(col));
                    }
                }
                return row;
            }
        }
    }

    long count(String sql, Object... args) throws Exception {
        Object value = row(sql, args).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    /**
     * Waits until `expected` events of the job-id prefix are done (or parked); returns the seconds
     * waited, or -1 on timeout.
     */
    double awaitSettled(String jobPrefix, long expected, long timeoutSeconds, BenchProcess hub) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            hub.checkAlive("waiting for " + jobPrefix + "*");
            long settled = count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE ? AND state IN ('done', 'parked')",
                    jobPrefix + "%");
            if (settled >= expected) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(200);
        }
        return -1;
    }

    /** Throughput and latency of the events whose JobId starts with the prefix, from the hub's timestamps. */
    Map<String, Object> endToEnd(String jobPrefix) throws Exception {
        Map<String, Object> r = row("""
                SELECT COUNT(*) AS events,
                       COUNT(*) FILTER (WHERE i.state = 'done') AS done,
                       COUNT(*) FILTER (WHERE i.state = 'parked') AS parked,
                       COALESCE(SUM(j.tag_count), 0) AS tag_rows_reported,
                       EXTRACT(EPOCH FROM MAX(i.done_at) - MIN(i.received_at)) AS window_s,
                       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM i.done_at - i.received_at)) * 1000 AS p50_ms,
                       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM i.done_at - i.received_at)) * 1000 AS p99_ms,
                       MAX(EXTRACT(EPOCH FROM i.done_at - i.received_at)) * 1000 AS max_ms,
                       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM j.processed_at - j.received_at)) * 1000 AS rows_p50_ms,
                       PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM j.processed_at - j.received_at)) * 1000 AS rows_p99_ms
                FROM smarttag_inbox i LEFT JOIN smarttag_job j ON j.job_id = i.job_id
                WHERE i.job_id LIKE ?
                """, jobPrefix + "%");
        Map<String, Object> out = new LinkedHashMap<>();
        long done = ((Number) r.get("done")).longValue();
        double window = r.get("window_s") == null ? Double.NaN : ((Number) r.get("window_s")).doubleValue();
        long tagRows = count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE ?", jobPrefix + "%");
        out.put("events_done", done);
        out.put("events_parked", ((Number) r.get("parked")).longValue());
        out.put("tag_rows_in_db", tagRows);
        out.put("window_s", round(window));
        out.put("events_per_s", round(done / window));
        out.put("tag_rows_per_s", round(tagRows / window));
        out.put("p50_ms", round(number(r.get("p50_ms"))));
        out.put("p99_ms", round(number(r.get("p99_ms"))));
        out.put("max_ms", round(number(r.get("max_ms"))));
        out.put("rows_written_p50_ms", round(number(r.get("rows_p50_ms"))));
        out.put("rows_written_p99_ms", round(number(r.get("rows_p99_ms"))));
        return out;
    }

    static double number(Object value) {
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }

    static double round(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? Double.NaN : Math.round(value * 100) / 100.0;
    }
}
