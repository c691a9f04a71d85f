package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A destination of type sql: an event's rows in the user's own tables (their column names, another
 * database than the hub's), with the user's statements and typed named parameters; one transaction
 * per event, so a replay with a delete-statement replaces rows and a refused statement writes nothing.
 */
class SqlDestinationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The user's schema: their names, not the hub's. A job's rows go with it (ON DELETE CASCADE). */
    private static final String[] SCHEMA = {
        "CREATE TABLE vod_jobs (job VARCHAR(128) PRIMARY KEY, media VARCHAR(128), outcome VARCHAR(32), err_code VARCHAR(64),"
            + " finished_at TIMESTAMP WITH TIME ZONE)",
        "CREATE TABLE vod_tags (job VARCHAR(128) REFERENCES vod_jobs(job) ON DELETE CASCADE, kind VARCHAR(64), label VARCHAR(512),"
            + " at_ms BIGINT, face VARCHAR(1024), item_no INT)",
        "CREATE TABLE vod_speech (job VARCHAR(128) REFERENCES vod_jobs(job) ON DELETE CASCADE, line_no INT, from_ms BIGINT,"
            + " to_ms BIGINT, words VARCHAR(4000))"};

    /** A second database for the user's tables: PostgreSQL (a database of its own) or H2. */
    private static String userDatabase(String kind) throws Exception {
        String url = "postgres".equals(kind) ? TestServers.newPostgresDatabase()
                : "jdbc:h2:mem:warehouse-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            for (String ddl : SCHEMA) {
                s.execute(ddl);
            }
        }
        return url;
    }

    private static Connection connect(String url) throws Exception {
        return url.startsWith("jdbc:postgresql") ? DriverManager.getConnection(url, "postgres", "postgres")
                : DriverManager.getConnection(url, "sa", "");
    }

    private static List<List<Object>> rows(String url, String sql, Object... args) throws Exception {
        try (Connection c = connect(url); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
                        Object value = rs.getObject(col);
                        row.add(value instanceof Number n ? (Object) n.longValue() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    private static long count(String url, String sql, Object... args) throws Exception {
        return (Long) rows(url, sql, args).get(0).get(0);
    }

    private static RunningHub.Builder hub(String hubDatabase, String userUrl) {
        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(hubDatabase)) {
            builder.onPostgres();
        }
        boolean postgres = userUrl.startsWith("jdbc:postgresql");
        return builder
                .property("hub.destinations", "database,archive,alert,warehouse")
                .property("hub.destination.warehouse.type", "sql")
                .property("hub.destination.warehouse.url", userUrl)
                .property("hub.destination.warehouse.user", postgres ? "postgres" : "sa")
                .property("hub.destination.warehouse.password", postgres ? "postgres" : "")
                .property("hub.destination.warehouse.delete-statement", "DELETE FROM vod_jobs WHERE job = :?jobId")
                .property("hub.destination.warehouse.job-statement", "INSERT INTO vod_jobs (job, media, outcome, err_code, finished_at)"
                        + " VALUES (:?jobId, :?mediaId, :?status, :?code, :?eventTime)")
                .property("hub.destination.warehouse.tag-statement", "INSERT INTO vod_tags (job, kind, label, at_ms, face, item_no)"
                        + " VALUES (:?jobId, :?category, :?tag, :?timeMs, :?faceUrl, :?itemIndex)")
                .property("hub.destination.warehouse.asr-statement", "INSERT INTO vod_speech (job, line_no, from_ms, to_ms, words)"
                        + " VALUES (:?jobId, :?seq, :?startMs, :?endMs, :?text)")
                .property("hub.management.token", "sql-token-17")
                .property("hub.retry.initial-delay-ms", "300")
                .property("hub.retry.max-delay-ms", "1000");
    }

    @ParameterizedTest
    @CsvSource({"h2, h2", "postgres, postgres"})
    void theSeedGivesItsRowsInTheUsersTablesAndAReplayReplacesThem(String hubDatabase, String userDatabase) throws Exception {
        String url = userDatabase(userDatabase);
        String job = Samples.seedJobId();
        try (RunningHub hub = hub(hubDatabase, url).start()) {
            assertEquals(200, hub.post(Samples.seed()).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, job, "warehouse", "done"));
            assertEquals(44, count(url, "SELECT COUNT(*) FROM vod_tags WHERE job = ?", job));
            // the same values as the hub's own rows, in the user's columns
            assertEquals(sorted(hub.query("SELECT category, tag, time_ms, face_url, item_index FROM smarttag_tag WHERE job_id = ?", job)),
                    sorted(rows(url, "SELECT kind, label, at_ms, face, item_no FROM vod_tags WHERE job = ?", job)));
            long asr = hub.count("SELECT COUNT(*) FROM smarttag_asr WHERE job_id = ?", job);
            assertEquals(asr, count(url, "SELECT COUNT(*) FROM vod_speech WHERE job = ?", job));
            List<Object> jobRow = rows(url, "SELECT media, outcome, err_code, finished_at FROM vod_jobs WHERE job = ?", job).get(0);
            assertEquals(Samples.field(Samples.seed(), "MediaId"), jobRow.get(0));
            assertEquals("success", jobRow.get(1));
            assertEquals(OffsetDateTime.of(2017, 3, 20, 7, 49, 17, 0, ZoneOffset.UTC).toInstant(), instant(jobRow.get(3)),
                    "eventTime bound as a timestamp");

            var replay = hub.managementPost("/observe/replay?job=" + job + "&destination=warehouse", "Authorization", "Bearer sql-token-17");
            assertEquals(200, replay.statusCode(), replay.body());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (WebhookDestinationTest.attempts(hub, job, "warehouse") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, job, "warehouse", "done"));
            assertEquals(44, count(url, "SELECT COUNT(*) FROM vod_tags WHERE job = ?", job), "44, not 88: the delete-statement ran first");
            assertEquals(1, count(url, "SELECT COUNT(*) FROM vod_jobs WHERE job = ?", job));
        }
    }

    private static java.time.Instant instant(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        throw new AssertionError("not a timestamp: " + value + " (" + value.getClass() + ")");
    }

    private static List<String> sorted(List<?> rows) {
        List<String> lines = new ArrayList<>();
        for (Object row : rows) {
            Iterable<?> values = row instanceof Map<?, ?> map ? map.values() : (List<?>) row;
            List<String> cells = new ArrayList<>();
            values.forEach(v -> cells.add(v instanceof Number n ? String.valueOf(n.longValue()) : String.valueOf(v)));
            lines.add(String.join("|", cells));
        }
        lines.sort(null);
        return lines;
    }

    @ParameterizedTest
    @CsvSource({"h2, h2", "postgres, postgres"})
    void aStatementTheDatabaseRefusesParksOnlyThatDestinationAndWritesNothing(String hubDatabase, String userDatabase) throws Exception {
        String url = userDatabase(userDatabase);
        String job = "sql-refused";
        try (RunningHub hub = hub(hubDatabase, url)
                // a column the user's table does not have
                .property("hub.destination.warehouse.tag-statement", "INSERT INTO vod_tags (job, kind, label, confidence)"
                        + " VALUES (:?jobId, :?category, :?tag, :?timeMs)")
                .property("hub.retry.max-attempts", "3")
                .start()) {
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", job)).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, job, "warehouse", "parked"));
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, job, "database", "done"), "the others are done");
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, job, "archive", "done"));
            assertEquals(0, count(url, "SELECT COUNT(*) FROM vod_jobs WHERE job = ?", job), "the job row of the failed event was rolled back");
            String error = (String) hub.query("SELECT d.last_error FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                    + " WHERE i.job_id = ? AND d.destination = 'warehouse'", job).get(0).get("last_error");
            assertTrue(error.contains("hub.destination.warehouse.tag-statement"), error);
        }
    }

    @Test
    void anUnknownParameterFailsTheStartNamingTheProperty() throws Exception {
        String refused = DestinationConfigurationTest.startFailure(Map.of(
                "hub.destinations", "database,archive,alert,warehouse",
                "hub.destination.warehouse.type", "sql",
                "hub.destination.warehouse.url", "jdbc:h2:mem:unused",
                "hub.destination.warehouse.tag-statement", "INSERT INTO t (a, b) VALUES (:?jobId, :?tagName)"));
        assertTrue(refused.contains("hub.destination.warehouse.tag-statement") && refused.contains(":?tagName"), refused);

        String wrongScope = DestinationConfigurationTest.startFailure(Map.of(
                "hub.destinations", "database,archive,alert,warehouse",
                "hub.destination.warehouse.type", "sql",
                "hub.destination.warehouse.url", "jdbc:h2:mem:unused",
                "hub.destination.warehouse.job-statement", "INSERT INTO t (a, b) VALUES (:?jobId, :?tag)"));
        assertTrue(wrongScope.contains("hub.destination.warehouse.job-statement") && wrongScope.contains(":?tag"), wrongScope);
    }
}
