package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large event needs no large heap (issue 21). The database destination binds an event's rows into
 * its INSERTs as it produces them, in JDBC batches of at most 1,024 rows, so an event of 100,000 tag
 * occurrences (about 670 KB, under the 1 MiB body limit) is written whole by a hub with a 96 MiB
 * heap, on the embedded default and on PostgreSQL; so does a sql destination (the user's own tables),
 * whose one-row statements go in batches of 1,024. Before, the rows were held at once as 100,000 maps
 * and value lists and the driver held all their parameters: the worker ran out of memory and the
 * event was never written.
 */
class LargeEventMemoryTest {

    private static final int TAGS = 2_000;
    private static final int TIMES = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void anEventOf100000RowsIsWrittenByAHubWithA96MiBHeap(String database) throws Exception {
        Path home = Files.createTempDirectory("large-event");
        boolean h2 = "h2".equals(database);
        String url = h2 ? "jdbc:h2:file:" + home.resolve("db/smarttag") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                : TestServers.newPostgresDatabase();
        String user = h2 ? "sa" : "postgres";
        String password = h2 ? "" : "postgres";
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.db.url", url + (h2 ? ";LOCK_TIMEOUT=10000" : ""));
        props.put("hub.db.user", user);
        props.put("hub.db.password", password);
        // the user's own tables (a sql destination) get the same 100,000 rows, in another database
        String warehouse = h2 ? "jdbc:h2:file:" + home.resolve("warehouse") + ";MODE=PostgreSQL" : TestServers.newPostgresDatabase();
        try (Connection c = DriverManager.getConnection(warehouse, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE vod_jobs (job VARCHAR(128) PRIMARY KEY, outcome VARCHAR(32))");
            s.execute("CREATE TABLE vod_tags (job VARCHAR(128) REFERENCES vod_jobs(job), kind VARCHAR(64), label VARCHAR(512), at_ms BIGINT,"
                    + " face VARCHAR(1024), item_no INT)");
        }
        props.put("hub.destinations", "database,archive,alert,warehouse");
        props.put("hub.destination.warehouse.type", "sql");
        props.put("hub.destination.warehouse.url", warehouse);
        props.put("hub.destination.warehouse.user", user);
        props.put("hub.destination.warehouse.password", password);
        props.put("hub.destination.warehouse.job-statement", "INSERT INTO vod_jobs (job, outcome) VALUES (:?jobId, :?status)");
        props.put("hub.destination.warehouse.tag-statement", "INSERT INTO vod_tags (job, kind, label, at_ms, face, item_no)"
                + " VALUES (:?jobId, :?category, :?tag, :?timeMs, :?faceUrl, :?itemIndex)");
        String jobId = "large-" + database;
        byte[] event = largeEvent(jobId);
        assertTrue(event.length < 1_048_576, "under the default body limit: " + event.length);

        try (HubProcess hub = HubProcess.start(home, props, "-Xmx96m", "-XX:+UseSerialGC")) {
            HttpResponse<String> response = hub.post(event);
            assertEquals(200, response.statusCode(), response.body());
            String finished = "finished job " + jobId + ": done";
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!Files.readString(hub.log()).contains(finished) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            String log = Files.readString(hub.log());
            assertFalse(log.contains("OutOfMemoryError"), "no worker ran out of memory");
            assertTrue(log.contains(finished), "the event was processed: " + finished);
            hub.terminate(Duration.ofSeconds(60)); // H2's file is the hub's while it runs
        }
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            assertEquals((long) TAGS * TIMES, count(s, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = '" + jobId + "'"));
            assertEquals((long) TAGS * TIMES, count(s, "SELECT tag_count FROM smarttag_job WHERE job_id = '" + jobId + "'"));
            assertEquals(TIMES, count(s, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = '" + jobId + "' AND tag = 'tag-1999'"));
            assertEquals(1, count(s, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = '" + jobId + "' AND state = 'done' AND attempts = 1"));
            assertEquals(3, count(s, "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                    + " WHERE i.job_id = '" + jobId + "' AND d.state = 'done' AND d.attempts = 1"), "database, archive and warehouse done at once");
        }
        try (Connection c = DriverManager.getConnection(warehouse, user, password); Statement s = c.createStatement()) {
            assertEquals((long) TAGS * TIMES, count(s, "SELECT COUNT(*) FROM vod_tags WHERE job = '" + jobId + "'"));
            assertEquals(TIMES, count(s, "SELECT COUNT(*) FROM vod_tags WHERE job = '" + jobId + "' AND label = 'tag-1999' AND kind = 'Object'"));
        }
    }

    /** The seed event with Data replaced by 2,000 tags of 50 Times each (Times as numbers, which VOD's format allows). */
    private static byte[] largeEvent(String jobId) throws Exception {
        ObjectNode data = JSON.createObjectNode();
        String[] categories = {"Keyword", "Person", "Location", "Object"};
        for (int i = 0; i < TAGS; i++) {
            ObjectNode item = JSON.createObjectNode();
            ArrayNode times = item.putArray("Times");
            for (int t = 0; t < TIMES; t++) {
                times.add(1000 * t + i);
            }
            item.put("Tag", "tag-" + i);
            String category = categories[i % categories.length];
            if (category.equals("Person")) {
                item.put("FaceUrl", "http://test.com/face/" + i + ".jpg");
            }
            ((ArrayNode) data.withArray(category)).add(item);
        }
        byte[] seed = Samples.with(Samples.seed(), "JobId", jobId);
        ObjectNode root = (ObjectNode) JSON.readTree(seed);
        root.put("Data", JSON.writeValueAsString(data));
        return JSON.writeValueAsBytes(root);
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
