package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.spi.RouteController;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A burst larger than the in-memory hand-off: while the workers are busy (here: held back), the
 * events beyond 4 per worker are queued by inbox id only, and each worker claims and loads its event
 * from the inbox (InboxEngine.claim: claim and load in one statement while the event has no delivery
 * row). Every event is processed exactly once, with its rows, archive file and one delivery row per
 * destination, on the embedded default and on PostgreSQL.
 */
class ProcessingBurstTest {

    private static final int EVENTS = 30;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void aBurstQueuedByInboxIdIsProcessedOnceFromTheInbox(String database) throws Exception {
        RunningHub.Builder builder = RunningHub.builder().property("hub.process.workers", "2");
        if (database.equals("postgresql")) {
            builder.onPostgres();
        }
        try (RunningHub hub = builder.start()) {
            RouteController routes = hub.context().getRouteController();
            // the sweep too: only the hand-off may bring these events to a worker
            routes.suspendRoute("sweep");
            routes.suspendRoute("process");
            Thread.sleep(1500); // a seda consumer already waiting in its poll takes one more exchange
            for (int i = 0; i < EVENTS; i++) {
                HttpResponse<String> response = hub.post(Samples.with(Samples.seed(), "JobId", "burst-" + database + "-" + i));
                assertEquals(200, response.statusCode(), response.body());
            }
            assertEquals(EVENTS, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'burst-%' AND state = 'pending' AND attempts = 0"));
            routes.resumeRoute("process");

            assertEquals(EVENTS, hub.awaitCount(EVENTS, Duration.ofSeconds(30),
                    "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'burst-%' AND state = 'done'"));
            assertEquals(EVENTS, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'burst-%' AND attempts = 1"));
            assertEquals(EVENTS * 44L, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'burst-%'"));
            assertEquals(EVENTS, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'burst-%'"));
            // a success goes to database and archive (alert: failed jobs only): one delivery row each, done at the first attempt
            String deliveries = "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id WHERE i.job_id LIKE 'burst-%'";
            assertEquals(EVENTS * 2L, hub.count(deliveries));
            assertEquals(EVENTS * 2L, hub.count(deliveries + " AND d.state = 'done' AND d.attempts = 1 AND d.destination IN ('database', 'archive')"));
            try (var files = java.nio.file.Files.walk(hub.home().resolve("archive"))) {
                assertEquals(EVENTS, files.filter(f -> f.getFileName().toString().startsWith("burst-")).count());
            }
            routes.resumeRoute("sweep");
        }
    }
}
