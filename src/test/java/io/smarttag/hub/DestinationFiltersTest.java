package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hub.destination.<name>.filter: an EventBridge pattern on the event with Data parsed. A destination
 * whose filter does not take an event records it as skipped (a delivery row, not an attempt, not a
 * failure, counted as outcome skipped), the event finishes without it, and the other destinations
 * get it as before; when and filter both apply. A pattern the matcher refuses fails the start.
 */
class DestinationFiltersTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PERSON = "{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}}";
    private static final String INVALID_CODE = "{\"Code\":[{\"prefix\":\"Invalid\"}]}";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aPersonFilterTakesTheSeedAndSkipsAnEventWithoutFacesWhileTheDatabaseGetsBoth(String database) throws Exception {
        String seedJob = "filter-seed-" + database;
        String noFaceJob = "filter-no-face-" + database;
        String invalidJob = "filter-invalid-" + database;
        String internalJob = "filter-internal-" + database;
        byte[] seed = Samples.with(Samples.seed(), "JobId", seedJob);
        byte[] noFace = Samples.successWithData(noFaceJob, "{\"Keyword\":[{\"Times\":[\"900\"],\"Tag\":\"Skin\"}]}");
        byte[] invalid = Samples.with(Samples.fail(), "JobId", invalidJob, "Code", "InvalidParameter.Video");
        byte[] internal = Samples.with(Samples.fail(), "JobId", internalJob);
        try (WebhookReceiver faces = new WebhookReceiver(); WebhookReceiver triage = new WebhookReceiver()) {
            RunningHub.Builder builder = RunningHub.builder();
            if ("postgres".equals(database)) {
                builder.onPostgres();
            }
            try (RunningHub hub = builder
                    .property("hub.destinations", "database,archive,faces,triage")
                    .property("hub.destination.faces.type", "webhook")
                    .property("hub.destination.faces.url", faces.url("/faces"))
                    .property("hub.destination.faces.filter", PERSON)
                    .property("hub.destination.triage.type", "webhook")
                    .property("hub.destination.triage.url", triage.url("/triage"))
                    .property("hub.destination.triage.when", "fail")
                    .property("hub.destination.triage.filter", INVALID_CODE)
                    .start()) {
                for (byte[] event : List.of(seed, noFace, invalid, internal)) {
                    assertEquals(200, hub.post(event).statusCode());
                }
                hub.awaitCount(4, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'");

                // the database destination takes all four, filters or not
                for (String job : List.of(seedJob, noFaceJob, invalidJob, internalJob)) {
                    assertEquals("done", hub.deliveryState(job, "database"), job);
                    assertEquals("done", hub.deliveryState(job, "archive"), job);
                }
                assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", seedJob));
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", noFaceJob));

                // faces: the seed (Sam) only; the event without a Person tag is skipped, not attempted
                List<WebhookReceiver.Request> toFaces = faces.awaitRequests(1, WAIT);
                assertEquals(1, toFaces.size(), "faces got: " + toFaces);
                assertArrayEquals(seed, toFaces.get(0).body());
                assertEquals("done", hub.deliveryState(seedJob, "faces"));
                Map<String, Object> skipped = hub.query("SELECT d.state, d.attempts, d.last_error, d.done_at FROM smarttag_delivery d"
                        + " JOIN smarttag_inbox i ON i.id = d.inbox_id WHERE i.job_id = ? AND d.destination = 'faces'", noFaceJob).get(0);
                assertEquals("skipped", skipped.get("state"));
                assertEquals(0, ((Number) skipped.get("attempts")).intValue(), "a skip is not an attempt");
                assertEquals(null, skipped.get("last_error"), "a skip is not a failure");
                assertNotNull(skipped.get("done_at"), "settled when it was skipped");

                // triage: when (fail) and filter (Code Invalid*) both apply; a success event is not even due
                List<WebhookReceiver.Request> toTriage = triage.awaitRequests(1, WAIT);
                assertEquals(1, toTriage.size(), "triage got: " + toTriage);
                assertArrayEquals(invalid, toTriage.get(0).body());
                assertEquals("skipped", hub.deliveryState(internalJob, "triage"), "a fail whose Code does not match");
                assertEquals(null, hub.deliveryState(seedJob, "triage"), "when excludes success: no delivery at all");
                assertEquals("skipped", hub.deliveryState(invalidJob, "faces"), "a fail event has no Person tag");

                String metrics = hub.management("/observe/metrics").body();
                assertEquals(3.0, MetricsTest.value(metrics, "smarttag_deliveries_total", "destination", "faces", "outcome", "skipped"),
                        "no-face, invalid and internal skipped by faces");
                assertEquals(1.0, MetricsTest.value(metrics, "smarttag_deliveries_total", "destination", "faces", "outcome", "ok"));
                assertEquals(1.0, MetricsTest.value(metrics, "smarttag_deliveries_total", "destination", "triage", "outcome", "skipped"));
                assertEquals(0.0, MetricsTest.value(metrics, "smarttag_deliveries_total", "destination", "faces", "outcome", "failed"));
                assertEquals(4.0, MetricsTest.value(metrics, "smarttag_deliveries_total", "destination", "database", "outcome", "ok"));

                Thread.sleep(1000);
                assertEquals(1, faces.requests().size(), "a skipped event is never sent later");
                assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'"));
            }
        }
    }

    @Test
    void aFilterTheMatcherRefusesFailsTheStartNamingThePropertyAndTheReason() throws Exception {
        String refused = startFailure(Map.of("hub.destinations", "database,faces",
                "hub.destination.faces.type", "webhook", "hub.destination.faces.url", "http://127.0.0.1:9/x",
                "hub.destination.faces.filter", "{\"MediaId\":[{\"prefix\":42}]}"));
        assertTrue(refused.contains("hub.destination.faces.filter is not a valid event pattern: prefix match pattern must be a string"),
                refused);

        String notJson = startFailure(Map.of("hub.destinations", "database,archive",
                "hub.destination.archive.filter", "{\"Data\":{\"Person\""));
        assertTrue(notJson.contains("hub.destination.archive.filter is not a valid event pattern"), notJson);
    }

    @Test
    void aFormatThatIsUnknownOrNotOfTheTypeFailsTheStart() throws Exception {
        String unknown = startFailure(Map.of("hub.destinations", "database,hook",
                "hub.destination.hook.type", "webhook", "hub.destination.hook.url", "http://127.0.0.1:9/x",
                "hub.destination.hook.format", "cloudevent"));
        assertTrue(unknown.contains("hub.destination.hook.format = 'cloudevent'") && unknown.contains("cloudevents-tags"), unknown);

        String notOfType = startFailure(Map.of("hub.destinations", "database", "hub.destination.database.format", "tags"));
        assertTrue(notOfType.contains("hub.destination.database.format") && notOfType.contains("webhook and kamelet"), notOfType);
    }

    /** Starts a hub that must not start; returns the messages of the failure, cause by cause. */
    private static String startFailure(Map<String, String> properties) throws Exception {
        RunningHub.Builder builder = RunningHub.builder();
        properties.forEach(builder::property);
        int port = TestServers.freePort();
        builder.property("hub.http.port", String.valueOf(port));
        Exception failure = assertThrows(Exception.class, () -> {
            RunningHub hub = builder.start();
            hub.close();
        }, "the hub started with " + properties);
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        try (Socket probe = new Socket("127.0.0.1", port)) {
            throw new AssertionError("the callback port is open although the start failed");
        } catch (java.net.ConnectException expected) {
            // nothing listens: the failed start left no half-running hub behind
        }
        return messages.toString();
    }
}
