package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rows of many events in one transaction (hub.database.*): events the workers write at the same time
 * share one transaction of the database destination, which also commits the finish of each event it
 * was the last destination of; other events' outcomes share writes at finish (hub.process.finish-*);
 * an event the database refuses fails only
 * itself (its batch is written again one event at a time, in the same attempt), is retried on its
 * own, and is written once the database takes it; no other event is retried or written twice.
 */
class DatabaseGroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int GOOD = 60;
    private static final int POISON = 4;
    private static final int TAGS = 44;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void eventsShareTransactionsAndARefusedEventFailsOnlyItself(String database) throws Exception {
        RunningHub.Builder builder = RunningHub.builder()
                .property("hub.database.batch-window-ms", "100")
                .property("hub.process.finish-window-ms", "100")
                .property("hub.retry.initial-delay-ms", "300")
                .property("hub.sweep.interval-ms", "500");
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        try (RunningHub hub = builder.start()) {
            // a burst of events: their rows share transactions
            burstOfSeeds(hub, "rows-clean-");
            assertEquals(GOOD, hub.awaitCount(GOOD, WAIT, RunningHub.DELIVERIES.replace("i.job_id = ?", "i.job_id LIKE ?"),
                    "rows-clean-%", "database", "done"));
            assertEquals(GOOD * TAGS, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'rows-clean-%'"));
            String grouped = hub.management("/observe/metrics").body();
            double cleanCommits = MetricsTest.value(grouped, "smarttag_database_batches_total", "outcome", "committed");
            System.out.printf("database group commit (%s): %.0f events written in %.0f transactions%n", database,
                    MetricsTest.value(grouped, "smarttag_database_batch_size_sum", "outcome", "committed"), cleanCommits);
            assertEquals(GOOD, MetricsTest.value(grouped, "smarttag_database_batch_size_sum", "outcome", "committed"),
                    "each event written once");
            // 12 to 18 transactions for the 60 in runs so far; the bound leaves room for a loaded machine
            assertTrue(cleanCommits <= GOOD * 2 / 3.0, "events shared transactions: " + cleanCommits + " transactions for " + GOOD + " events");
            // the database destination was each event's last (the archive went first) and every event
            // was done with it: its finish (archive's delivery row, inbox state) went into the rows'
            // transaction, and finish wrote nothing more
            hub.awaitInboxSettled(WAIT);
            assertEquals(GOOD, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'rows-clean-%' AND state = 'done'"
                    + " AND done_at IS NOT NULL AND lease_until IS NULL AND last_error IS NULL"));
            assertEquals(GOOD, hub.count(RunningHub.DELIVERIES.replace("i.job_id = ?", "i.job_id LIKE ?"),
                    "rows-clean-%", "archive", "done"));
            String finished = hub.management("/observe/metrics").body();
            assertEquals(0, MetricsTest.value(finished, "smarttag_finish_batch_size_sum", "outcome", "committed"),
                    "no event's finish written apart from its rows");

            // the database refuses the job row of the poison events (and only theirs)
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_job ADD CONSTRAINT test_no_poison CHECK (job_id NOT LIKE 'rows-poison-%')");
            }
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < GOOD; i++) {
                bodies.add(Samples.with(Samples.seed(), "JobId", "rows-good-" + i));
            }
            for (int i = 0; i < POISON; i++) {
                bodies.add(Samples.with(Samples.seed(), "JobId", "rows-poison-" + i));
            }
            Collections.shuffle(bodies, new Random(7));
            for (HttpResponse<String> answer : GroupCommitTest.burst(hub, bodies, 32)) {
                assertEquals(200, answer.statusCode(), answer.body());
            }

            assertEquals(GOOD, hub.awaitCount(GOOD, WAIT, RunningHub.DELIVERIES.replace("i.job_id = ?", "i.job_id LIKE ?"),
                    "rows-good-%", "database", "done"));
            // every good event was written in its first attempt, once: the poison in its batch did not fail it
            List<Map<String, Object>> good = hub.query("SELECT d.attempts, d.last_error FROM smarttag_delivery d"
                    + " JOIN smarttag_inbox i ON i.id = d.inbox_id WHERE i.job_id LIKE 'rows-good-%' AND d.destination = 'database'");
            assertEquals(GOOD, good.size());
            for (Map<String, Object> delivery : good) {
                assertEquals(1, ((Number) delivery.get("attempts")).intValue(), delivery.toString());
                assertNull(delivery.get("last_error"), delivery.toString());
            }
            assertEquals(GOOD, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'rows-good-%'"));
            assertEquals(GOOD * TAGS, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'rows-good-%'"));
            // the poison events failed alone: pending, with the database's reason, no rows
            assertEquals(POISON, hub.awaitCount(POISON, WAIT, "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i"
                    + " ON i.id = d.inbox_id WHERE i.job_id LIKE 'rows-poison-%' AND d.destination = 'database'"
                    + " AND d.state = 'pending' AND d.last_error IS NOT NULL"));
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'rows-poison-%'"));

            String metrics = hub.management("/observe/metrics").body();
            double commits = MetricsTest.value(metrics, "smarttag_database_batches_total", "outcome", "committed");
            double written = MetricsTest.value(metrics, "smarttag_database_batch_size_sum", "outcome", "committed");
            double failed = MetricsTest.value(metrics, "smarttag_database_batches_total", "outcome", "failed");
            double failedEvents = MetricsTest.value(metrics, "smarttag_database_batch_size_sum", "outcome", "failed");
            System.out.printf("with refused events (%s): %.0f events written in %.0f transactions; %.0f failed transactions"
                    + " of %.0f events%n", database, written - GOOD, commits - cleanCommits, failed, failedEvents);
            assertEquals(2 * GOOD, written, "each good event written once");
            assertTrue(failedEvents > failed, "a refused batch held other events, and they were written alone: "
                    + failed + " failed transactions of " + failedEvents + " events");

            // the database takes them again: the poison events are retried and written, nothing twice
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_job DROP CONSTRAINT test_no_poison");
            }
            assertEquals(POISON, hub.awaitCount(POISON, WAIT, "SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'rows-poison-%'"));
            hub.awaitInboxSettled(WAIT);
            assertEquals(2 * GOOD + POISON, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'rows-%'"));
            assertEquals((2 * GOOD + POISON) * TAGS, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'rows-%'"));
            assertEquals(2 * GOOD + POISON, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'rows-%' AND state = 'done'"));
            // the poison events' failed attempts were finished apart (the rows' transaction failed),
            // the good ones with their rows
            double apart = MetricsTest.value(hub.management("/observe/metrics").body(), "smarttag_finish_batch_size_sum",
                    "outcome", "committed");
            assertTrue(apart >= POISON && apart < GOOD, "finishes written apart from the rows: " + apart);
        }
    }

    /**
     * Without the database destination, or with it before another destination (destinations are
     * tried in the order of hub.destinations), each event's outcomes are written at finish, and the
     * workers' finishes share writes (hub.process.finish-*).
     */
    @ParameterizedTest
    @CsvSource({"h2, archive", "postgres, archive", "h2, 'database,archive'"})
    void finishesShareWritesWhenNoRowsCarryThem(String database, String destinations) throws Exception {
        RunningHub.Builder builder = RunningHub.builder()
                .property("hub.destinations", destinations)
                .property("hub.process.finish-window-ms", "100");
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        try (RunningHub hub = builder.start()) {
            burstOfSeeds(hub, "finish-");
            assertEquals(GOOD, hub.awaitCount(GOOD, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'finish-%' AND state = 'done'"));
            String finished = hub.management("/observe/metrics").body();
            double finishes = MetricsTest.value(finished, "smarttag_finish_batches_total", "outcome", "committed");
            double finishedEvents = MetricsTest.value(finished, "smarttag_finish_batch_size_sum", "outcome", "committed");
            System.out.printf("finish group commit (%s, %s): %.0f events finished in %.0f writes%n", database, destinations, finishedEvents, finishes);
            assertEquals(GOOD, finishedEvents, "each event finished once");
            // a finish is short, so workers meet there less often than at the rows (10 to 38 writes for
            // the 60 in runs so far, by the machine's load); that some events shared a write is the point
            assertTrue(finishes < GOOD, "finishes shared transactions: " + finishes + " writes for " + GOOD + " events");
            assertEquals(destinations.startsWith("database") ? GOOD : 0,
                    hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'finish-%'"));
        }
    }

    /** GOOD seed events, JobIds prefix0..prefix59, as one burst of 32 callers at a time; each answered 200. */
    private static void burstOfSeeds(RunningHub hub, String prefix) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            bodies.add(Samples.with(Samples.seed(), "JobId", prefix + i));
        }
        for (HttpResponse<String> answer : GroupCommitTest.burst(hub, bodies, 32)) {
            assertEquals(200, answer.statusCode(), answer.body());
        }
    }
}
