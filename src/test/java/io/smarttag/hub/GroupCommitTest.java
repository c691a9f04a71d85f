package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group commit on accept (hub.accept.*): callbacks arriving together are written in one inbox
 * transaction, each is answered only after the commit that holds its row, a repeated delivery is
 * stored once (also inside one batch), and a batch the database refuses fails exactly its own
 * callers (spooled, answered 200) while the other batches are stored as usual; nothing is lost.
 */
class GroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RunningHub.Builder hub(String database) {
        RunningHub.Builder builder = RunningHub.builder();
        return "postgres".equals(database) ? builder.onPostgres() : builder;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void concurrentCallbacksShareCommitsAndDuplicatesAreStoredOnce(String database) throws Exception {
        try (RunningHub hub = hub(database).property("hub.accept.batch-window-ms", "10").start()) {
            int events = 180;
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                bodies.add(Samples.with(Samples.seed(), "JobId", "group-" + i));
            }
            // 20 exact copies of events of the burst, sent in the same burst
            for (int i = 0; i < 20; i++) {
                bodies.add(bodies.get(i * 9));
            }
            Collections.shuffle(bodies, new Random(11));
            List<HttpResponse<String>> answers = burst(hub, bodies, 40);

            Map<String, String> idsByJob = new LinkedHashMap<>();
            int duplicates = 0;
            for (int i = 0; i < bodies.size(); i++) {
                HttpResponse<String> answer = answers.get(i);
                assertEquals(200, answer.statusCode(), answer.body());
                if (answer.body().contains("\"status\":\"duplicate\"")) {
                    duplicates++;
                    continue;
                }
                assertTrue(answer.body().contains("\"status\":\"accepted\""), answer.body());
                String id = answer.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
                String job = Samples.field(bodies.get(i), "JobId");
                assertEquals(null, idsByJob.put(job, id), "one event accepted twice: " + job);
            }
            assertEquals(events, idsByJob.size(), "each event accepted once");
            assertEquals(20, duplicates, "each copy answered as a duplicate");
            // every 200 "accepted" is in the inbox, under the id it was answered with, and once
            assertEquals(events, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'group-%'"));
            for (Map.Entry<String, String> accepted : idsByJob.entrySet()) {
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE id = ? AND job_id = ?",
                        accepted.getValue(), accepted.getKey()), accepted.getKey());
            }

            String metrics = hub.management("/observe/metrics").body();
            double commits = MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "committed");
            double grouped = MetricsTest.value(metrics, "smarttag_accept_batch_size_sum", "outcome", "committed");
            System.out.printf("group commit (%s): %d callbacks in %.0f commits (largest batch %.0f)%n", database, bodies.size(),
                    commits, MetricsTest.value(metrics, "smarttag_accept_batch_size_max", "outcome", "committed"));
            assertEquals(bodies.size(), grouped, "every callback went through one committed batch");
            assertTrue(commits < bodies.size(), "fewer commits than callbacks: " + commits);
            assertEquals(0, MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "failed"));
            assertEquals(0, MetricsTest.value(metrics, "smarttag_events_spooled_total"));

            hub.awaitInboxSettled(WAIT);
            assertEquals(events, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'group-%'"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchTheDatabaseRefusesFailsExactlyItsCallers(String database) throws Exception {
        // batches of up to 10, and a window long enough that they fill up; the spool is drained only
        // when the test says so (its route is restarted), so what the burst did can be counted first
        RunningHub.Builder builder = hub(database);
        // on H2 the blocked insert below waits up to LOCK_TIMEOUT: ample time for the burst
        builder.property("hub.db.url", builder.property("hub.db.url").replace("LOCK_TIMEOUT=10000", "LOCK_TIMEOUT=60000"));
        try (RunningHub hub = builder
                .property("hub.accept.batch-max", "10")
                .property("hub.accept.batch-window-ms", "1000")
                .property("hub.spool.poll-ms", "3600000")
                .start()) {
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_inbox ADD CONSTRAINT test_no_poison CHECK (job_id <> 'refused-poison')");
            }
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                bodies.add(Samples.with(Samples.fail(), "JobId", "refused-" + i));
            }
            bodies.set(20, Samples.with(Samples.fail(), "JobId", "refused-poison"));
            List<HttpResponse<String>> answers = new ArrayList<>();
            // A caller that stays inside accept during the burst (its row waits for the test's uncommitted
            // copy of it): every batch leader then waits for company, so no batch is of the poison alone.
            try (Connection blocker = hub.dataSource().getConnection()) {
                blocker.setAutoCommit(false);
                try (PreparedStatement insert = blocker.prepareStatement("INSERT INTO smarttag_inbox (id, dedup_key, event_type,"
                        + " job_id, media_id, status, source, body, received_at, state, attempts, next_attempt_at)"
                        + " VALUES ('blocker', 'AIVideoTagComplete|refused-0|fail', 'AIVideoTagComplete', 'refused-0', 'm', 'fail',"
                        + " 'test', ?, ?, 'done', 0, ?)")) {
                    insert.setBytes(1, bodies.get(0));
                    insert.setObject(2, OffsetDateTime.now());
                    insert.setObject(3, OffsetDateTime.now());
                    insert.executeUpdate();
                }
                ExecutorService first = Executors.newSingleThreadExecutor();
                try {
                    Future<HttpResponse<String>> blocked = first.submit(() -> hub.post(bodies.get(0)));
                    awaitBlockedInsert(hub, database);
                    answers.addAll(burst(hub, bodies.subList(1, bodies.size()), 40));
                    blocker.rollback();
                    answers.add(0, blocked.get());
                } finally {
                    first.shutdownNow();
                }
            }

            Set<String> spooled = new HashSet<>();
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < bodies.size(); i++) {
                HttpResponse<String> answer = answers.get(i);
                assertEquals(200, answer.statusCode(), answer.body());
                String job = Samples.field(bodies.get(i), "JobId");
                if (answer.body().contains("\"status\":\"spooled\"")) {
                    spooled.add(job);
                } else {
                    assertTrue(answer.body().contains("\"status\":\"accepted\""), answer.body());
                    accepted.add(job);
                }
            }
            String metrics = hub.management("/observe/metrics").body();
            double failedBatches = MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "failed");
            double failedCallers = MetricsTest.value(metrics, "smarttag_accept_batch_size_sum", "outcome", "failed");
            double commits = MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "committed");
            System.out.printf("refused batch (%s): %d callbacks, %.0f batch of %.0f refused and spooled, %d accepted in %.0f commits%n",
                    database, bodies.size(), failedBatches, failedCallers, accepted.size(), commits);
            assertTrue(spooled.contains("refused-poison"), "the refused event was spooled");
            assertEquals(1, failedBatches, "one batch was refused");
            assertEquals(spooled.size(), failedCallers, "exactly the callers of the refused batch were spooled");
            assertTrue(spooled.size() > 1, "the others in the poison's batch failed with it: " + spooled);
            assertEquals(spooled.size(), spoolFiles(hub), "each of them is in the spool");
            assertEquals(accepted.size(), MetricsTest.value(metrics, "smarttag_accept_batch_size_sum", "outcome", "committed"));
            assertTrue(commits < accepted.size(), "the others were grouped too: " + commits + " commits");
            // the callers of the other batches are stored as usual, the refused batch left nothing behind
            assertEquals(accepted.size(), hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'refused-%'"));
            for (String job : accepted) {
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND source = 'http'", job), job);
            }

            // nothing is lost: once the database takes the event, the spool moves them all into the inbox
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_inbox DROP CONSTRAINT test_no_poison");
            }
            hub.context().getRouteController().stopRoute("spool-drain");
            hub.context().getRouteController().startRoute("spool-drain");
            assertEquals(bodies.size(), hub.awaitCount(bodies.size(), WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'refused-%'"));
            for (String job : spooled) {
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND source = 'spool'", job), job);
            }
            awaitNoSpoolFiles(hub);
            hub.awaitInboxSettled(WAIT);
            assertEquals(bodies.size(), hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'refused-%'"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aWindowOfZeroCommitsEachCallbackOnItsOwn(String database) throws Exception {
        try (RunningHub hub = hub(database).property("hub.accept.batch-window-ms", "0").start()) {
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                bodies.add(Samples.with(Samples.fail(), "JobId", "alone-" + i));
            }
            bodies.add(bodies.get(0));
            for (HttpResponse<String> answer : burst(hub, bodies, 16)) {
                assertEquals(200, answer.statusCode(), answer.body());
            }
            String metrics = hub.management("/observe/metrics").body();
            assertEquals(bodies.size(), MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "committed"));
            assertEquals(1, MetricsTest.value(metrics, "smarttag_accept_batch_size_max", "outcome", "committed"));
            assertEquals(30, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'alone-%'"));
            assertEquals(1, MetricsTest.value(metrics, "smarttag_events_duplicate_total", "source", "http"));
        }
    }

    /** Posts all bodies at once (released together), on this many client threads; the answers in order. */
    static List<HttpResponse<String>> burst(RunningHub hub, List<byte[]> bodies, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (byte[] body : bodies) {
                sent.add(pool.submit(() -> {
                    go.await();
                    return hub.post(body);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : sent) {
                answers.add(answer.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until an insert into the inbox waits for a lock held by another transaction. */
    static void awaitBlockedInsert(RunningHub hub, String database) throws Exception {
        String sql = "postgres".equals(database)
                ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO smarttag_inbox%'"
                : "SELECT COUNT(*) FROM information_schema.sessions WHERE executing_statement LIKE 'INSERT INTO smarttag_inbox%'";
        assertEquals(1, hub.awaitCount(1, WAIT, sql), "the first callback waits for the test's transaction");
    }

    /** A spooled file is deleted once its exchange completed, just after its event is in the inbox. */
    private static void awaitNoSpoolFiles(RunningHub hub) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (spoolFiles(hub) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, spoolFiles(hub), "the spool is emptied");
    }

    private static long spoolFiles(RunningHub hub) throws Exception {
        Path spool = hub.home().resolve("spool");
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
