package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replay per destination over HTTP ({@code POST /observe/replay?job=J&destination=D} on the management
 * port): a parked webhook delivered once without repeating the destinations that were done, a done
 * archive written again, a destination added later backfilled with an old event only when asked, and
 * an unknown destination refused.
 */
class DestinationReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN = "replay-token-dest-42";
    private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunningHub.Builder hub(String database, String url) {
        RunningHub.Builder builder = RunningHub.builder();
        if (url != null) {
            builder.property("hub.db.url", url); // an existing database: a restart
        }
        if ("postgres".equals(database)) {
            if (url == null) {
                builder.onPostgres();
            }
            builder.property("hub.db.user", "postgres").property("hub.db.password", "postgres");
        }
        return builder
                .property("hub.management.token", TOKEN)
                .property("hub.retry.max-attempts", "3")
                .property("hub.retry.initial-delay-ms", "200")
                .property("hub.retry.multiplier", "1.0")
                .property("hub.sweep.interval-ms", "200");
    }

    private static Map<String, Object> jobRow(RunningHub hub, String jobId) throws Exception {
        return hub.query("SELECT processed_at, tag_count FROM smarttag_job WHERE job_id = ?", jobId).get(0);
    }

    private static Map<String, Object> delivery(RunningHub hub, String jobId, String destination) throws Exception {
        List<Map<String, Object>> rows = hub.query("SELECT d.state, d.attempts, d.done_at FROM smarttag_delivery d"
                + " JOIN smarttag_inbox i ON i.id = d.inbox_id WHERE i.job_id = ? AND d.destination = ?", jobId, destination);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static void awaitEventState(RunningHub hub, String jobId, String state) throws Exception {
        assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = ?", jobId, state),
                () -> "event not " + state + ": " + WebhookDestinationTest.deliveries(hub));
    }

    private static void replayed(HttpResponse<String> response, int events) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(events, JSON.readTree(response.body()).path("replayed").asInt(), response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void eachDestinationIsReplayedOnItsOwn(String database) throws Exception {
        String jobId = "replay-dest-" + database;
        byte[] event = Samples.with(Samples.seed(), "JobId", jobId);
        RunningHub.Builder first = hub(database, null)
                .property("hub.destinations", "database,archive,alert,indexer");
        String url = first.property("hub.db.url");
        Path archiveDir;
        try (WebhookReceiver indexer = new WebhookReceiver().respondWith(503);
             WebhookReceiver late = new WebhookReceiver()) {
            first.property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.url", indexer.url("/indexer"));
            try (RunningHub hub = first.start()) {
                archiveDir = hub.home().resolve("archive");
                assertEquals(200, hub.post(event).statusCode());
                awaitEventState(hub, jobId, "parked");
                assertEquals("parked", hub.deliveryState(jobId, "indexer"));
                assertEquals(3, indexer.requests().size());
                Map<String, Object> rowBefore = jobRow(hub, jobId);
                assertEquals(1, ((Number) delivery(hub, jobId, "database").get("attempts")).intValue());

                // Refused calls change nothing: an unknown destination is a 400 with a JSON reason.
                HttpResponse<String> unknown = hub.managementPost("/observe/replay?job=" + jobId + "&destination=nosuch", AUTH);
                assertEquals(400, unknown.statusCode(), unknown.body());
                assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
                JsonNode reason = JSON.readTree(unknown.body());
                assertEquals("bad_request", reason.path("error").asText(), unknown.body());
                assertTrue(reason.path("reason").asText().contains("destination"), unknown.body());
                assertEquals(401, hub.managementPost("/observe/replay?job=" + jobId + "&destination=indexer").statusCode());
                Thread.sleep(600);
                assertEquals("parked", hub.deliveryState(jobId, "indexer"));
                assertEquals(3, indexer.requests().size());

                // The receiver is fixed; the indexer alone gets the event again, once.
                indexer.respondWith(200);
                replayed(hub.managementPost("/observe/replay?job=" + jobId + "&destination=indexer", AUTH), 1);
                awaitEventState(hub, jobId, "done");
                assertEquals("done", hub.deliveryState(jobId, "indexer"));
                Thread.sleep(1000);
                List<WebhookReceiver.Request> requests = indexer.requests();
                assertEquals(4, requests.size(), "three failed attempts, then one delivery");
                assertArrayEquals(event, requests.get(3).body());
                assertEquals(1, ((Number) delivery(hub, jobId, "indexer").get("attempts")).intValue(), "a fresh count after the replay");
                assertEquals(1, ((Number) delivery(hub, jobId, "database").get("attempts")).intValue(), "the database is not repeated");
                assertEquals(rowBefore, jobRow(hub, jobId), "the job row was not rewritten");
                assertEquals(1, ((Number) delivery(hub, jobId, "archive").get("attempts")).intValue());

                // A done event replayed to the archive: archived again, the others untouched.
                Path archived = archiveDir.resolve((String) hub.query("SELECT archive_key FROM smarttag_inbox WHERE job_id = ?", jobId)
                        .get(0).get("archive_key"));
                assertArrayEquals(event, Files.readAllBytes(archived));
                Files.delete(archived);
                Object archiveDoneBefore = delivery(hub, jobId, "archive").get("done_at");
                replayed(hub.managementPost("/observe/replay?job=" + jobId + "&destination=archive", AUTH), 1);
                assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, "archive", "done"));
                awaitEventState(hub, jobId, "done");
                for (int i = 0; i < 100 && !Files.exists(archived); i++) {
                    Thread.sleep(50);
                }
                assertArrayEquals(event, Files.readAllBytes(archived), "archived again, byte for byte");
                Map<String, Object> archive = delivery(hub, jobId, "archive");
                assertFalse(archiveDoneBefore.equals(archive.get("done_at")), "a new delivery: " + archive);
                Thread.sleep(1000);
                assertEquals(4, indexer.requests().size(), "the indexer is not repeated");
                assertEquals(1, ((Number) delivery(hub, jobId, "database").get("attempts")).intValue());
                assertEquals(rowBefore, jobRow(hub, jobId));
                assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
            }

            // Restarted on the same database with one more destination: it does not get the old
            // event by itself, only after a replay to it (a backfill).
            RunningHub.Builder second = hub(database, url)
                    .property("hub.destinations", "database,archive,alert,indexer,late")
                    .property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.url", indexer.url("/indexer"))
                    .property("hub.destination.late.type", "webhook")
                    .property("hub.destination.late.url", late.url("/late"))
                    .property("hub.archive.dir", archiveDir.toString());
            try (RunningHub hub = second.start()) {
                assertEquals("done", hub.query("SELECT state FROM smarttag_inbox WHERE job_id = ?", jobId).get(0).get("state"),
                        "the same database");
                Map<String, Object> rowBefore = jobRow(hub, jobId);
                Thread.sleep(2000); // ten sweeps
                assertEquals(0, late.requests().size(), "an old done event is not sent to a new destination by itself");
                assertNull(hub.deliveryState(jobId, "late"));

                replayed(hub.managementPost("/observe/replay?job=" + jobId + "&destination=late", AUTH), 1);
                List<WebhookReceiver.Request> backfill = late.awaitRequests(1, WAIT);
                assertArrayEquals(event, backfill.get(0).body());
                assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, "late", "done"));
                awaitEventState(hub, jobId, "done");
                Thread.sleep(1000);
                assertEquals(1, late.requests().size(), "backfilled once");
                assertEquals(4, indexer.requests().size(), "the indexer is not repeated");
                assertEquals(1, ((Number) delivery(hub, jobId, "database").get("attempts")).intValue());
                assertEquals(rowBefore, jobRow(hub, jobId), "the database is not repeated");
            }
        }
    }

    /**
     * A replay names one destination: a destination added after the event was done must not get it
     * along with a replay to another one (only a replay naming it backfills it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aReplayToOneDestinationIsNoBackfillOfAnother(String database) throws Exception {
        String jobId = "replay-scope-" + database;
        byte[] event = Samples.with(Samples.seed(), "JobId", jobId);
        RunningHub.Builder first = hub(database, null);
        String url = first.property("hub.db.url");
        try (RunningHub hub = first.start()) {
            assertEquals(200, hub.post(event).statusCode());
            awaitEventState(hub, jobId, "done");
        }
        try (WebhookReceiver late = new WebhookReceiver();
             RunningHub hub = hub(database, url)
                     .property("hub.destinations", "database,archive,alert,late")
                     .property("hub.destination.late.type", "webhook")
                     .property("hub.destination.late.url", late.url("/late"))
                     .start()) {
            replayed(hub.managementPost("/observe/replay?job=" + jobId + "&destination=archive", AUTH), 1);
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, "archive", "done"));
            awaitEventState(hub, jobId, "done");
            Thread.sleep(1000);
            assertEquals(0, late.requests().size(), "a replay to the archive sent the event to the new destination 'late'");
            assertNull(hub.deliveryState(jobId, "late"));
        }
    }

    /**
     * After its failures the destination is held for every event (DestinationHolds), here for 30 s; a
     * replay is ops asking for a try now, so it ends the hold: the event is delivered within seconds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aReplayEndsTheHoldOfTheFailingDestination(String database) throws Exception {
        String jobId = "replay-hold-" + database;
        try (WebhookReceiver indexer = new WebhookReceiver().respondWith(503)) {
            RunningHub.Builder builder = hub(database, null)
                    .property("hub.destinations", "database,archive,alert,indexer")
                    .property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.url", indexer.url("/indexer"))
                    .property("hub.retry.initial-delay-ms", "300")
                    .property("hub.retry.multiplier", "10")
                    .property("hub.retry.max-delay-ms", "60000");
            try (RunningHub hub = builder.start()) {
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", jobId)).statusCode());
                awaitEventState(hub, jobId, "parked"); // 3 failures: the indexer is now held for 30 s
                indexer.respondWith(200);
                long asked = System.nanoTime();
                replayed(hub.managementPost("/observe/replay?job=" + jobId + "&destination=indexer", AUTH), 1);
                assertEquals(1, hub.awaitCount(1, Duration.ofSeconds(10),
                        "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = 'done'", jobId),
                        () -> "not delivered within 10 s of the replay: " + WebhookDestinationTest.deliveries(hub));
                System.out.printf("replay after a 30 s hold: delivered %d ms after the request%n", (System.nanoTime() - asked) / 1_000_000);
                assertEquals(4, indexer.requests().size(), "three failed attempts, then one delivery");
            }
        }
    }
}
