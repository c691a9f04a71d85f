package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.LiveFiles;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.TestServers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The quarantine is bounded: of a rejected body only the first keep-bytes are kept, with the full
 * size and SHA-256; all entries together stay under the cap (then new rejections are dropped and
 * counted, the earlier ones stay); retention deletes old entries; and the file fallback (database
 * down) obeys the same bounds. Every rejected body is still answered 400 invalid_event.
 */
class BoundedQuarantineTest {

    private static final int KEEP = 16 * 1024;
    private static final long CAP = 4L * 1024 * 1024;
    private static final int BODY = 1_000_000;

    /** One sender: the cap holds, and exactly the earliest rejections are the ones kept. */
    @Test
    void threeHundredOneMebibyteBodiesStayUnderTheCapOnH2() throws Exception {
        capHolds(RunningHub.builder(), "H2", 1);
    }

    /** Eight senders at once: the reservation in the usage row keeps the cap under concurrency. */
    @Test
    void threeHundredOneMebibyteBodiesFromEightSendersStayUnderTheCapOnPostgres() throws Exception {
        capHolds(RunningHub.builder().onPostgres(), "PostgreSQL", 8);
    }

    private void capHolds(RunningHub.Builder builder, String database, int senders) throws Exception {
        int bodies = 300;
        try (RunningHub hub = bounded(builder).start()) {
            Map<String, Integer> sentBySha = new HashMap<>();
            for (int i = 0; i < bodies; i++) {
                sentBySha.put(sha256(rejectedBody(i, BODY)), i);
            }
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(senders);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < bodies; i++) {
                    int index = i;
                    answers.add(pool.submit(() -> hub.post(rejectedBody(index, BODY))));
                    if (senders == 1) {
                        answers.get(i).get();
                    }
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    assertRejected(answer.get());
                }
            } finally {
                pool.shutdown();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            long rows = hub.count("SELECT COUNT(*) FROM smarttag_quarantine");
            long bodyBytes = hub.count("SELECT COALESCE(SUM(OCTET_LENGTH(body)), 0) FROM smarttag_quarantine");
            System.out.printf("bounded quarantine (%s, %d senders): %d rejected bodies of %d bytes in %d ms: %d rows, %d body "
                    + "bytes in the table, database on disk %d bytes%n", database, senders, bodies, BODY, ms, rows, bodyBytes,
                    databaseBytes(hub));

            assertTrue(bodyBytes <= CAP, "kept body bytes " + bodyBytes + " over the cap " + CAP);
            long counted = hub.count("SELECT COALESCE(SUM(stored_bytes), 0) FROM smarttag_quarantine");
            assertTrue(counted <= CAP, "stored bytes " + counted + " over the cap " + CAP);
            assertTrue(rows > 100 && rows < bodies, "the cap keeps some and drops the rest: " + rows);
            assertEquals(counted, hub.count("SELECT stored_bytes FROM smarttag_quarantine_usage WHERE source = 'http'"), "running total");
            assertEquals(bodies - rows, hub.count("SELECT dropped FROM smarttag_quarantine_usage WHERE source = 'http'"), "dropped, in the table");
            assertEquals(bodies - rows, metric(hub, "getDroppedTotal"), "dropped, in QuarantineMetrics");
            assertEquals(rows, metric(hub, "getStoredTotal"));

            Set<Integer> kept = new TreeSet<>();
            for (Map<String, Object> row : hub.query(
                    "SELECT source, reason, body, body_size, body_sha256, truncated FROM smarttag_quarantine")) {
                Integer index = sentBySha.get((String) row.get("body_sha256"));
                assertNotNull(index, "the SHA-256 is that of a body sent");
                byte[] sent = rejectedBody(index, BODY);
                assertEquals((long) BODY, ((Number) row.get("body_size")).longValue());
                assertEquals(Boolean.TRUE, row.get("truncated"));
                assertArrayEquals(Arrays.copyOf(sent, KEEP), (byte[]) row.get("body"), "the first keep-bytes of the body");
                assertEquals("http", row.get("source"));
                assertTrue(String.valueOf(row.get("reason")).contains("not valid JSON"), String.valueOf(row.get("reason")));
                kept.add(index);
            }
            if (senders == 1) {
                Set<Integer> first = new TreeSet<>();
                for (int i = 0; i < rows; i++) {
                    first.add(i);
                }
                assertEquals(first, kept, "the earliest rejections are kept, later ones dropped");
            }
        }
    }

    @Test
    void retentionDeletesOldRowsAndMakesRoomAgain() throws Exception {
        // Room for two entries of 16 KiB: the third rejection is dropped until retention deletes the first two.
        try (RunningHub hub = RunningHub.builder()
                .property("hub.quarantine.keep-bytes", String.valueOf(KEEP))
                .property("hub.quarantine.max-total-bytes", "40000")
                .property("hub.quarantine.retention-hours", "1")
                .property("hub.quarantine.cleanup-interval-ms", "200")
                .start()) {
            for (int i = 0; i < 3; i++) {
                assertRejected(hub.post(rejectedBody(i, 100_000)));
            }
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"));
            assertEquals(1, hub.count("SELECT dropped FROM smarttag_quarantine_usage WHERE source = 'http'"));

            execute(hub, "UPDATE smarttag_quarantine SET received_at = ?", OffsetDateTime.now(ZoneOffset.UTC).minusHours(2));
            assertEquals(0, hub.awaitCount(0, Duration.ofSeconds(10), "SELECT COUNT(*) FROM smarttag_quarantine"));
            assertEquals(0, hub.awaitCount(0, Duration.ofSeconds(10), "SELECT stored_bytes FROM smarttag_quarantine_usage WHERE source = 'http'"));
            assertEquals(2, metric(hub, "getExpiredTotal"), "expired rows are counted");

            byte[] later = rejectedBody(3, 100_000);
            assertRejected(hub.post(later));
            assertEquals(sha256(later), hub.query("SELECT body_sha256 FROM smarttag_quarantine").get(0).get("body_sha256"),
                    "room again after retention");
            System.out.printf("quarantine retention: 2 rows aged 2 h deleted (%d counted), a new rejection kept again%n",
                    metric(hub, "getExpiredTotal"));
        }
    }

    /** Each source has its own cap: unsigned HTTP garbage filling the quarantine does not crowd out a queue message. */
    @Test
    void aFullHttpQuarantineStillKeepsAQueueMessage() throws Exception {
        try (RunningHub hub = RunningHub.builder()
                .property("hub.quarantine.keep-bytes", String.valueOf(KEEP))
                .property("hub.quarantine.max-total-bytes", "40000")
                .start()) {
            for (int i = 0; i < 5; i++) {
                assertRejected(hub.post(rejectedBody(i, 100_000)));
            }
            byte[] message = rejectedBody(99, 50_000);
            quarantineQueueMessage(hub, message);
            List<Map<String, Object>> rows = hub.query("SELECT source, COUNT(*) AS n FROM smarttag_quarantine GROUP BY source ORDER BY source");
            System.out.printf("quarantine per source: 5 HTTP bodies then 1 queue message, cap 40000 bytes: rows %s%n", rows);
            assertEquals(List.of(Map.of("source", "http", "n", 2L), Map.of("source", "mns", "n", 1L)),
                    rows.stream().map(r -> Map.of("source", r.get("source"), "n", ((Number) r.get("n")).longValue())).toList());
            assertEquals(sha256(message), hub.query("SELECT body_sha256 FROM smarttag_quarantine WHERE source = 'mns'")
                    .get(0).get("body_sha256"));
            assertEquals(3, hub.count("SELECT dropped FROM smarttag_quarantine_usage WHERE source = 'http'"));
            assertEquals(3, metric(hub, "getDroppedTotal"));
            assertEquals(0, hub.count("SELECT dropped FROM smarttag_quarantine_usage WHERE source = 'mns'"));
        }
    }

    @Test
    void fileFallbackWhileTheDatabaseIsDownIsBoundedToo() throws Exception {
        long cap = 200_000;
        RunningHub.Builder builder = RunningHub.builder().onPostgres()
                .property("hub.quarantine.keep-bytes", String.valueOf(KEEP))
                .property("hub.quarantine.max-total-bytes", String.valueOf(cap))
                .property("hub.quarantine.retention-hours", "1")
                .property("hub.quarantine.cleanup-interval-ms", "200")
                .property("hub.db.connect-timeout-ms", "300");
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        int bodies = 40;
        try (RunningHub hub = builder.start()) {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
            Map<String, Integer> sentBySha = new HashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < bodies; i++) {
                    byte[] body = rejectedBody(i, BODY);
                    sentBySha.put(sha256(body), i);
                    answers.add(pool.submit(() -> hub.post(body)));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    assertRejected(answer.get());
                }
            } finally {
                pool.shutdown();
            }
            Path dir = hub.home().resolve("quarantine");
            long onDisk = folderBytes(dir);
            List<Path> reasons = files(dir, ".reason.txt");
            System.out.printf("bounded quarantine (database down): %d rejected bodies of %d bytes: %d kept as files, "
                    + "%d bytes under %s%n", bodies, BODY, reasons.size(), onDisk, dir.getFileName());

            assertTrue(onDisk <= cap, "files take " + onDisk + " bytes, over the cap " + cap);
            long blocks = files(dir, "").stream().mapToLong(f -> Math.max(1, (f.toFile().length() + 4095) / 4096) * 4096).sum();
            assertTrue(blocks <= cap, "files take " + blocks + " bytes in 4 KiB blocks, over the cap " + cap);
            assertTrue(reasons.size() > 5 && reasons.size() < bodies, "some kept, the rest dropped: " + reasons.size());
            assertEquals(bodies - reasons.size(), metric(hub, "getDroppedTotal"));
            assertEquals(reasons.size(), metric(hub, "getStoredAsFilesTotal"));
            // the folder's cap is per source too
            byte[] message = rejectedBody(99, 50_000);
            quarantineQueueMessage(hub, message);
            assertEquals(reasons.size() + 1, metric(hub, "getStoredAsFilesTotal"), "a queue message still gets its files");
            assertTrue(Files.readString(only(files(dir, ".reason.txt"), "mns.")).contains("\nbody_sha256: " + sha256(message) + "\n"));
            for (Path reason : reasons) {
                String text = Files.readString(reason);
                assertTrue(text.contains("not valid JSON"), text);
                String sha = text.replaceAll("(?s).*\nbody_sha256: ([0-9a-f]{64})\n.*", "$1");
                Integer index = sentBySha.get(sha);
                assertNotNull(index, "the SHA-256 is that of a body sent: " + text);
                assertTrue(text.contains("\nbody_size: " + BODY + "\n"), text);
                assertTrue(text.contains("\nsource: http\n"), text);
                Path body = dir.resolve(reason.getFileName().toString().replace(".reason.txt", ".body"));
                assertArrayEquals(Arrays.copyOf(rejectedBody(index, BODY), KEEP), Files.readAllBytes(body));
            }

            // retention applies to the files too
            FileTime old = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
            for (Path file : files(dir, "")) {
                Files.setLastModifiedTime(file, old);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!files(dir, "").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), files(dir, ""), "files older than the retention are deleted");
            assertEquals(reasons.size() + 1, metric(hub, "getExpiredTotal"));
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    @Test
    void rowsFromBeforeTheCapAreCarriedOver() throws Exception {
        RunningHub.Builder builder = RunningHub.builder()
                .property("hub.quarantine.keep-bytes", String.valueOf(KEEP))
                .property("hub.quarantine.max-total-bytes", String.valueOf(CAP));
        // a database as the previous version left it (schema V2), with a rejected body of 1 MB in quarantine
        byte[] legacy = rejectedBody(7, BODY);
        Flyway.configure().dataSource(builder.property("hub.db.url"), "sa", "").locations("classpath:db/migration")
                .target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(builder.property("hub.db.url"), "sa", "");
                PreparedStatement ps = c.prepareStatement("INSERT INTO smarttag_quarantine (id, received_at, source, reason, body) "
                        + "VALUES ('legacy-1', ?, 'http', 'body is not valid JSON (malformed JSON)', ?)")) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setBytes(2, legacy);
            ps.executeUpdate();
        }
        try (RunningHub hub = builder.start()) {
            Map<String, Object> row = hub.query("SELECT body, body_size, body_sha256, truncated, stored_bytes "
                    + "FROM smarttag_quarantine WHERE id = 'legacy-1'").get(0);
            System.out.printf("quarantine carried over: %s%n", row.entrySet().stream()
                    .filter(e -> !e.getKey().equals("body")).map(Object::toString).toList());
            assertArrayEquals(legacy, (byte[]) row.get("body"), "the whole body is kept");
            assertEquals((long) BODY, ((Number) row.get("body_size")).longValue());
            assertEquals(Boolean.FALSE, row.get("truncated"));
            long counted = ((Number) row.get("stored_bytes")).longValue();
            assertTrue(counted > BODY, "counts against the cap: " + counted);
            assertEquals(counted, hub.count("SELECT stored_bytes FROM smarttag_quarantine_usage WHERE source = 'http'"));
            // the cap already holds for what comes next
            assertRejected(hub.post(rejectedBody(8, BODY)));
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"));
            assertTrue(hub.count("SELECT stored_bytes FROM smarttag_quarantine_usage WHERE source = 'http'") <= CAP);
        }
    }

    /** What source-mns does with an unreadable message: the quarantine route with source mns and a reason. */
    private static void quarantineQueueMessage(RunningHub hub, byte[] body) throws Exception {
        try (ProducerTemplate template = hub.context().createProducerTemplate()) {
            Exchange done = template.send("direct:quarantine", exchange -> {
                exchange.setVariable("source", "mns");
                exchange.setVariable("quarantineReason", "unreadable MNS message test: neither JSON nor Base64 of JSON");
                exchange.getIn().setBody(body);
            });
            assertEquals(null, done.getException());
        }
    }

    private static Path only(List<Path> files, String prefix) {
        List<Path> matching = files.stream().filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        assertEquals(1, matching.size(), matching.toString());
        return matching.get(0);
    }

    private static RunningHub.Builder bounded(RunningHub.Builder builder) {
        return builder.property("hub.quarantine.keep-bytes", String.valueOf(KEEP))
                .property("hub.quarantine.max-total-bytes", String.valueOf(CAP));
    }

    /** Not JSON (Jackson stops at the first token), distinct per index, about size bytes. */
    static byte[] rejectedBody(int index, int size) {
        byte[] body = new byte[size];
        new Random(index).nextBytes(body);
        byte[] head = ("garbage-" + index + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        return body;
    }

    static void assertRejected(HttpResponse<String> response) {
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"error\":\"invalid_event\""), response.body());
        assertTrue(response.body().contains("\"reason\":\""), response.body());
    }

    static String sha256(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }

    /** A QuarantineMetrics getter, read by name so this test also runs (and fails) on the code before it. */
    static long metric(RunningHub hub, String getter) throws Exception {
        Object metrics = hub.context().getRegistry().lookupByName("quarantineMetrics");
        assertNotNull(metrics, "no quarantineMetrics bean");
        return ((Number) metrics.getClass().getMethod(getter).invoke(metrics)).longValue();
    }

    private static long databaseBytes(RunningHub hub) throws Exception {
        if (String.valueOf(hub.property("hub.db.url")).startsWith("jdbc:postgresql:")) {
            return hub.count("SELECT pg_database_size(current_database())");
        }
        return folderBytes(hub.home().resolve("db"));
    }

    private static long folderBytes(Path dir) throws Exception {
        return LiveFiles.bytes(dir);
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static void execute(RunningHub hub, String sql, Object... args) throws Exception {
        try (Connection c = hub.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestServers.postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
