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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large event needs no large heap (issue 21). The database destination binds an event's rows into
 * its INSERTs as it produces them, in JDBC batches of at most 1,024 rows, so an event of 100,000 tag
 * occurrences (about 670 KB, under the 1 MiB body limit) is written whole by a hub with a 96 MiB
 * heap on the embedded default and the small box's 64 MiB on PostgreSQL; so does a sql destination (the user's own tables),
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
    void anEventOf100000RowsIsWrittenWithTheSmallBoxHeap(String database) throws Exception {
        Path home = Files.createTempDirectory("large-event");
        boolean h2 = "h2".equals(database);
        HubDatabase db = HubDatabase.of(database, home);
        String url = db.url();
        String user = db.user();
        String password = db.password();
        Map<String, String> props = db.hubProperties();
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

        // 96 MiB on H2, the small box's 64 MiB on PostgreSQL
        String[] heap = h2 ? new String[] {"-Xmx96m", "-XX:+UseSerialGC"} : smallBoxHeap(false);
        try (HubProcess hub = HubProcess.start(home, props, heap)) {
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

    /**
     * A burst of large events needs no large heap either: 40 events of 2,000 tags with 5 Times each
     * (about 220 KB, 10,000 rows) posted by 8 callers at once to a hub with 8 workers, with the
     * README's 112 MiB heap on the embedded default (H2 keeps its page cache and a transaction's
     * pages in the hub's heap) and 64 MiB on PostgreSQL. Each such event took about 1.5 MB more heap
     * while it was parsed (a tree of the whole document) and 1.4 MB as parsed; before Data was read
     * as a stream and the hand-off bounded the bodies waiting in memory (hub.process.handoff-max-bytes),
     * up to 32 of them waited parsed next to the 8 being written and 8 being accepted: both hubs ran
     * out of memory (H2's database closed itself; on PostgreSQL accept answered 500 and 503).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void aBurstOfLargeEventsIsWrittenWithTheSmallBoxHeap(String database) throws Exception {
        Path home = Files.createTempDirectory("large-burst");
        boolean h2 = "h2".equals(database);
        HubDatabase db = HubDatabase.of(database, home);
        Map<String, String> props = db.hubProperties();
        props.put("hub.process.workers", "8");
        int events = 40;
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (HubProcess hub = HubProcess.start(home, props, smallBoxHeap(h2))) {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                byte[] event = burstEvent("burst-" + database + "-" + i);
                statuses.add(callers.submit(() -> hub.post(event).statusCode()));
            }
            for (Future<Integer> status : statuses) {
                assertEquals(200, status.get());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (countDone(hub.log()) < events && !Files.readString(hub.log()).contains("OutOfMemoryError")
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(Files.readString(hub.log()).contains("OutOfMemoryError"), "no thread ran out of memory");
            assertEquals(events, countDone(hub.log()), "every event of the burst was processed");
            hub.terminate(Duration.ofSeconds(60));
        } finally {
            callers.shutdownNow();
        }
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password()); Statement s = c.createStatement()) {
            assertEquals(events * 10_000L, count(s, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'burst-%'"));
            assertEquals(events, count(s, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'burst-%' AND state = 'done'"));
        }
    }

    /**
     * However many callers post the largest bodies at once, the callback bodies in memory stay
     * bounded (hub.http.max-body-memory-bytes, BodyBudget), so the small-box heap is enough: every
     * request gets an answer, none runs the hub out of memory, and callbacks go on being accepted.
     * 24 bodies of 1,000,000 bytes at once are all read and answered (400: these are not events,
     * like an attacker's): those beyond the budget (4 MiB) wait their turn. 400 at once: the ones
     * with no room left to wait get 503 at once with a JSON reason. Before, Vert.x read every body into the
     * heap: 50 at once ran the 112 MiB hub out of memory, and at 200 the callback port's event loop
     * died (no later callback was answered, health still said UP).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void manyCallersPostingTheLargestBodiesAtOnceDoNotRunTheHubOutOfMemory(String database) throws Exception {
        Path home = Files.createTempDirectory("body-flood");
        boolean h2 = "h2".equals(database);
        HubDatabase db = HubDatabase.of(database, home);
        try (HubProcess hub = HubProcess.start(home, db.hubProperties(), smallBoxHeap(h2))) {
            Map<String, Integer> few = postAtOnce(hub, 24, 1_000_000);
            assertEquals(Map.of("400", 24), few, "all read and answered, those beyond the budget after waiting");
            Map<String, Integer> many = postAtOnce(hub, 400, 1_000_000);
            assertEquals(400, many.getOrDefault("400", 0) + many.getOrDefault("503", 0), "every request answered 400 or 503: " + many);
            assertTrue(many.getOrDefault("400", 0) >= 4, "the budget's worth was read and answered: " + many);
            assertTrue(many.getOrDefault("503", 0) > 0, "the rest refused at once: " + many);
            String log = Files.readString(hub.log());
            // (an OutOfMemoryError inside a route is logged as the cause of Camel's exception: "Java heap space")
            assertFalse(log.contains("OutOfMemoryError") || log.contains("Java heap space"), "no thread ran out of memory");

            byte[] seed = Samples.with(Samples.seed(), "JobId", "after-flood-" + database);
            HttpResponse<String> response = hub.post(seed);
            assertEquals(200, response.statusCode(), response.body());
            String finished = "finished job after-flood-" + database + ": done";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readString(hub.log()).contains(finished) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(hub.log()).contains(finished), "a callback after the flood is accepted and processed");
            String busy = hub.management("/observe/metrics").body();
            assertTrue(busy.lines().anyMatch(l -> l.startsWith("smarttag_events_rejected_total") && l.contains("reason=\"busy\"")
                    && !l.endsWith(" 0.0")), "the 503s are counted");
        }
    }

    /**
     * n connections post a body of the given size (a JSON object, not an event) at the same moment
     * and read the status line: the answers by status ("timeout", "reset" for none).
     */
    private static Map<String, Integer> postAtOnce(HubProcess hub, int n, int size) throws Exception {
        byte[] body = ("{\"EventType\":\"" + "x".repeat(size - 17) + "\"}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] head = ("POST /callbacks/vod HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(n);
        ExecutorService callers = Executors.newFixedThreadPool(n);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(callers.submit(() -> {
                    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", hub.callbackUri().getPort())) {
                        socket.setSoTimeout(30_000);
                        together.await();
                        try {
                            socket.getOutputStream().write(head);
                            socket.getOutputStream().write(body);
                        } catch (java.io.IOException e) {
                            // a 503 closes the connection unread: its answer may still be there to read
                        }
                        String status = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                        return status.startsWith("HTTP/1.1 ") ? status.substring(9, 12) : "reset";
                    } catch (java.net.SocketTimeoutException e) {
                        return "timeout";
                    } catch (java.io.IOException e) {
                        return "reset";
                    }
                }));
            }
            Map<String, Integer> byStatus = new java.util.TreeMap<>();
            for (Future<String> answer : answers) {
                byStatus.merge(answer.get(), 1, Integer::sum);
            }
            return byStatus;
        } finally {
            callers.shutdownNow();
        }
    }

    /** The hub's database: a fresh H2 file under home (the embedded default) or a fresh PostgreSQL database. */
    private record HubDatabase(String url, String user, String password, boolean h2) {

        static HubDatabase of(String database, Path home) {
            return "h2".equals(database)
                    ? new HubDatabase("jdbc:h2:file:" + home.resolve("db/smarttag") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                            "sa", "", true)
                    : new HubDatabase(TestServers.newPostgresDatabase(), "postgres", "postgres", false);
        }

        Map<String, String> hubProperties() {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("hub.db.url", url + (h2 ? ";LOCK_TIMEOUT=10000" : ""));
            props.put("hub.db.user", user);
            props.put("hub.db.password", password);
            return props;
        }
    }

    /**
     * The README's small-box heap for the database, with the serial collector: 64 MiB with a 16 MiB
     * young generation on PostgreSQL, 112 MiB with half of it young on H2, whose page cache and
     * transactions live in the hub's heap. -Dsmallbox.heap.h2 / -Dsmallbox.heap.pg ("-Xmx.. -Xmn..")
     * to find the limits again.
     */
    private static String[] smallBoxHeap(boolean h2) {
        String heap = System.getProperty("smallbox.heap." + (h2 ? "h2" : "pg"), h2 ? "-Xmx112m -XX:NewRatio=1" : "-Xmx64m -Xmn16m");
        return (heap + " -XX:+UseSerialGC").trim().split("\\s+");
    }

    private static long countDone(Path log) throws Exception {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("finished job burst-") && l.contains(": done")).count();
        }
    }

    /** The seed event with Data replaced by 2,000 tags of 5 Times each (Times as strings, as VOD sends them). */
    private static byte[] burstEvent(String jobId) throws Exception {
        ObjectNode data = JSON.createObjectNode();
        String[] categories = {"Keyword", "Person", "Location", "Time", "Category"};
        for (int i = 0; i < 2_000; i++) {
            ObjectNode item = JSON.createObjectNode();
            ArrayNode times = item.putArray("Times");
            for (int t = 0; t < 5; t++) {
                times.add(String.valueOf(1000L * i + 37L * t));
            }
            String category = categories[i % categories.length];
            item.put("Tag", category.toLowerCase() + "-tag-" + i);
            if (category.equals("Person")) {
                item.put("FaceUrl", "http://test.com/aivideotag/bench/Index_" + i + ".jpg");
            }
            ((ArrayNode) data.withArray(category)).add(item);
        }
        ObjectNode root = (ObjectNode) JSON.readTree(Samples.with(Samples.seed(), "JobId", jobId));
        root.put("Data", JSON.writeValueAsString(data));
        return JSON.writeValueAsBytes(root);
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
