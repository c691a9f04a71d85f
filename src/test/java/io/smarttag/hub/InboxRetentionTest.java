package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hub.inbox.retention-days with two instances on one database (H2 shared in this JVM, and
 * PostgreSQL), both running retention: only events done for every destination longer ago than the
 * window lose their inbox and delivery rows; parked, pending and recent ones stay, job and tag rows
 * stay; the deleted count in smarttag_retention_deleted_total of both instances together is the
 * number deleted. A copy of a retained event is still a duplicate; a copy of a deleted one is
 * stored once again, and its own copy is a duplicate.
 */
class InboxRetentionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int OLD = 40;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void onlyDoneEventsOlderThanTheWindowAreDeleted(String database) throws Exception {
        RunningHub.Builder first = builder();
        if (database.equals("postgresql")) {
            first.onPostgres();
        }
        RunningHub.Builder second = builder().property("hub.db.url", first.property("hub.db.url"));
        if (database.equals("postgresql")) {
            second.property("hub.db.user", "postgres").property("hub.db.password", "postgres");
        }
        try (RunningHub a = first.start(); RunningHub b = second.start()) {
            for (int i = 0; i < OLD; i++) {
                assertEquals(200, (i % 2 == 0 ? a : b).post(Samples.with(Samples.seed(), "JobId", "old-" + i)).statusCode());
            }
            assertEquals(200, a.post(Samples.with(Samples.seed(), "JobId", "recent")).statusCode());
            assertEquals(200, a.post(Samples.with(Samples.seed(), "JobId", "old-pending")).statusCode());
            a.awaitInboxSettled(WAIT);
            EventStatusTest.execute(a, "ALTER TABLE smarttag_tag ADD CONSTRAINT retention_no_petal CHECK (job_id NOT LIKE '%parked')");
            assertEquals(200, b.post(Samples.with(Samples.seed(), "JobId", "old-parked")).statusCode());
            assertEquals(1, a.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'old-parked' AND state = 'parked'"));
            EventStatusTest.execute(a, "ALTER TABLE smarttag_tag DROP CONSTRAINT retention_no_petal");
            // a pending event whose next attempt is far away (its destination is down, say)
            EventStatusTest.execute(a, "UPDATE smarttag_inbox SET state = 'pending', next_attempt_at = next_attempt_at + INTERVAL '1' DAY"
                    + " WHERE job_id = 'old-pending'");
            long deliveriesBefore = a.count("SELECT COUNT(*) FROM smarttag_delivery");

            // everything but 'recent' becomes older than the 30-day window
            EventStatusTest.execute(a, "UPDATE smarttag_inbox SET received_at = received_at - INTERVAL '45' DAY,"
                    + " done_at = COALESCE(done_at, CURRENT_TIMESTAMP) - INTERVAL '45' DAY WHERE job_id <> 'recent'");
            EventStatusTest.execute(a, "UPDATE smarttag_inbox SET done_at = NULL WHERE state <> 'done'");

            assertEquals(0, a.awaitCount(0, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'old-%' AND state = 'done'"));
            Thread.sleep(1000); // a few more runs of both timers: nothing else goes
            assertEquals(3, a.count("SELECT COUNT(*) FROM smarttag_inbox"));
            assertEquals(1, a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'old-parked' AND state = 'parked'"));
            assertEquals(1, a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'old-pending' AND state = 'pending'"));
            assertEquals(1, a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'recent' AND state = 'done'"));
            assertEquals(0, a.count("SELECT COUNT(*) FROM smarttag_delivery d WHERE NOT EXISTS"
                    + " (SELECT 1 FROM smarttag_inbox i WHERE i.id = d.inbox_id)"), "no delivery row outlives its event");
            long deliveriesDeleted = deliveriesBefore - a.count("SELECT COUNT(*) FROM smarttag_delivery");
            assertEquals(OLD * 2L, deliveriesDeleted, "database and archive rows of each deleted event");
            // the product stays
            assertEquals(OLD + 2, a.count("SELECT COUNT(*) FROM smarttag_job"), "every job row but the parked one's (never written)");
            assertEquals((OLD + 2) * 44L, a.count("SELECT COUNT(*) FROM smarttag_tag"));
            assertEquals(OLD, deleted(a, "inbox") + deleted(b, "inbox"), "each deleted event counted once, by one instance");
            assertEquals(OLD * 2L, deleted(a, "delivery") + deleted(b, "delivery"));
            System.out.printf("retention (%s): instance a deleted %d events, b %d%n", database, deleted(a, "inbox"), deleted(b, "inbox"));

            // dedup window = retention window
            assertEquals(200, a.post(Samples.with(Samples.seed(), "JobId", "recent")).statusCode());
            assertEquals(1, a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'recent'"), "a copy of a retained event is a duplicate");
            assertEquals(200, a.post(Samples.with(Samples.seed(), "JobId", "old-0")).statusCode());
            assertEquals(200, b.post(Samples.with(Samples.seed(), "JobId", "old-0")).statusCode());
            assertEquals(1, a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'old-0'"), "a copy of a deleted event is stored once");
            assertEquals(1, a.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'old-0' AND state = 'done'"));
        }
    }

    private static RunningHub.Builder builder() {
        return RunningHub.builder()
                .property("hub.retry.initial-delay-ms", "100").property("hub.retry.max-delay-ms", "200")
                .property("hub.retry.max-attempts", "2")
                .property("hub.inbox.retention-days", "30")
                .property("hub.inbox.retention-interval-ms", "200")
                .property("hub.inbox.retention-batch", "7");
    }

    private static long deleted(RunningHub hub, String table) throws Exception {
        String metrics = hub.management("/observe/metrics").body();
        Matcher m = Pattern.compile("(?m)^smarttag_retention_deleted_total\\{[^}]*table=\"" + table + "\"[^}]*\\} ([0-9.eE+]+)$").matcher(metrics);
        assertTrue(m.find(), "smarttag_retention_deleted_total{table=" + table + "} in /observe/metrics");
        return (long) Double.parseDouble(m.group(1));
    }
}
