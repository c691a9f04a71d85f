package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.StandardWebhooksVerifier;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A destination of type webhook (hub.destination.indexer.type=webhook): the raw event, byte for byte
 * as the hub received it, POSTed as application/json and signed the Standard Webhooks way; a receiver
 * that fails or is down gets it later, exactly once, without holding back the other destinations.
 */
class WebhookDestinationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DESTINATIONS = "database,archive,alert,indexer";

    private static RunningHub.Builder hub(String database, WebhookReceiver receiver) {
        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        return builder
                .property("hub.destinations", DESTINATIONS)
                .property("hub.destination.indexer.type", "webhook")
                .property("hub.destination.indexer.url", receiver.url("/hooks/vod"))
                .property("hub.retry.initial-delay-ms", "500")
                .property("hub.retry.multiplier", "1.5")
                .property("hub.retry.max-delay-ms", "3000")
                .property("hub.retry.max-attempts", "50")
                .property("hub.sweep.interval-ms", "200");
    }

    static String newSecret() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /**
     * A valid success event written the way no serializer would: CRLF and tabs between tokens, spaces
     * before colons, raw UTF-8 (2, 3 and 4 byte sequences) next to \\u escapes, an escaped slash,
     * trailing whitespace. Re-serialising it anywhere would change its bytes.
     */
    static byte[] oddlyFormatted(String jobId) {
        String text = "{ \"EventTime\" : \"2017-03-20T07:49:17Z\" ,\r\n\t\"EventType\":\"AIVideoTagComplete\",   \"JobId\":\""
                + jobId + "\",\n"
                + "  \"MediaId\" :\"m\u00e9dia-\u65e5\u672c-\ud83c\udfac\" , \"Status\":\"success\",\"Code\" : \"0\",\n"
                + "  \"Message\":\"caf\\u00e9 \u2603 \\\"quoted\\\" \\/ tab\\t end\",\r\n"
                + "  \"Data\":\"{\\\"Keyword\\\":[{\\\"Tag\\\":\\\"\u00fcber\\\",\\\"Times\\\":[\\\"1000\\\"]}]}\"   }  \r\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String inboxId(RunningHub hub, String jobId) throws Exception {
        return (String) hub.query("SELECT id FROM smarttag_inbox WHERE job_id = ?", jobId).get(0).get("id");
    }

    static int attempts(RunningHub hub, String jobId, String destination) throws Exception {
        List<Map<String, Object>> rows = hub.query("SELECT d.attempts FROM smarttag_delivery d JOIN smarttag_inbox i"
                + " ON i.id = d.inbox_id WHERE i.job_id = ? AND d.destination = ?", jobId, destination);
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("attempts")).intValue();
    }

    static void awaitDelivery(RunningHub hub, String jobId, String destination, String state) throws Exception {
        assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, destination, state),
                () -> destination + " of " + jobId + " not " + state + ": " + deliveries(hub));
    }

    static String deliveries(RunningHub hub) {
        try {
            return hub.query("SELECT i.job_id, i.state AS event_state, d.destination, d.state, d.attempts, d.last_error"
                    + " FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id ORDER BY i.job_id, d.destination").toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Media type of a Content-Type value, lower case, without parameters. */
    static String mediaType(String contentType) {
        return contentType == null ? null : contentType.split(";")[0].trim().toLowerCase();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theRawEventIsPostedByteIdenticalAndSignedWithOneIdAcrossRetries(String database) throws Exception {
        String secret = newSecret();
        String jobId = "wh-bytes-" + database;
        byte[] event = oddlyFormatted(jobId);
        try (WebhookReceiver receiver = new WebhookReceiver().respondWith(500);
             RunningHub hub = hub(database, receiver).property("hub.destination.indexer.secret", secret).start()) {
            assertEquals(200, hub.post(event).statusCode());

            // two failed attempts recorded by the hub (not just received: a request still being answered
            // could get the 200 below), so the id can be compared across retries
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                    + " WHERE i.job_id = ? AND d.destination = 'indexer' AND d.state = 'pending' AND d.attempts >= 2", jobId));
            receiver.respondWith(200);
            awaitDelivery(hub, jobId, "indexer", "done");

            List<WebhookReceiver.Request> requests = receiver.requests();
            assertTrue(requests.size() >= 3, "two failures and the delivery: " + requests.size());
            assertEquals(requests.size(), attempts(hub, jobId, "indexer"), "every request was one attempt");
            String id = inboxId(hub, jobId);
            for (WebhookReceiver.Request request : requests) {
                assertEquals("POST", request.method());
                assertEquals("/hooks/vod", request.path());
                assertArrayEquals(event, request.body(), "the body is the event as posted to the hub, byte for byte");
                assertEquals("application/json", mediaType(request.header("Content-Type")), request.header("Content-Type"));
                String charset = request.header("Content-Type").toLowerCase();
                assertTrue(!charset.contains("charset") || charset.contains("charset=utf-8"), charset);
                assertEquals(id, request.header("webhook-id"), "webhook-id is the event's inbox id on every attempt");
                assertTrue(StandardWebhooksVerifier.verify(secret, request.headers(), request.body(), 300),
                        () -> "signature does not verify: " + request.headers());
                assertFalse(StandardWebhooksVerifier.verify(newSecret(), request.headers(), request.body(), 300),
                        "another secret must not verify");
                byte[] tampered = request.body();
                tampered[tampered.length - 3] ^= 1;
                assertFalse(StandardWebhooksVerifier.verify(secret, request.headers(), tampered, 300), "a changed body must not verify");
            }
            assertEquals(1, requests.stream().map(r -> r.header("webhook-id")).distinct().count());
            assertEquals("done", hub.deliveryState(jobId, "database"));
            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
        }
    }

    @Test
    void aFailingReceiverIsRetriedWhileTheOtherDestinationsAreDoneOnTheFirstAttempt() throws Exception {
        String jobId = "wh-500-then-200";
        byte[] event = Samples.with(Samples.seed(), "JobId", jobId);
        try (WebhookReceiver receiver = new WebhookReceiver().respondWith(500);
             RunningHub hub = hub("h2", receiver).start()) {
            assertEquals(200, hub.post(event).statusCode());

            awaitDelivery(hub, jobId, "database", "done");
            awaitDelivery(hub, jobId, "archive", "done");
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                    + " WHERE i.job_id = ? AND d.destination = 'indexer' AND d.state = 'pending' AND d.attempts >= 3", jobId));
            // the receiver still fails: the event waits for it alone
            assertEquals("pending", hub.deliveryState(jobId, "indexer"));
            Object eventState = hub.query("SELECT state FROM smarttag_inbox WHERE job_id = ?", jobId).get(0).get("state");
            assertTrue(Set.of("pending", "processing").contains(eventState), "not done while the indexer owes it: " + eventState);
            assertTrue(receiver.requests().stream().allMatch(r -> java.util.Arrays.equals(event, r.body())));

            receiver.respondWith(200);
            awaitDelivery(hub, jobId, "indexer", "done");
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = 'done'", jobId),
                    "the event is done once its last destination is");
            int requests = receiver.requests().size();
            assertTrue(requests >= 4, "three failures and the delivery: " + requests);
            assertEquals(requests, attempts(hub, jobId, "indexer"));
            assertEquals(1, attempts(hub, jobId, "database"), "the database destination was not repeated");
            assertEquals(1, attempts(hub, jobId, "archive"), "the archive was not repeated");
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
            String key = (String) hub.query("SELECT archive_key FROM smarttag_inbox WHERE job_id = ?", jobId).get(0).get("archive_key");
            assertArrayEquals(event, Files.readAllBytes(hub.home().resolve("archive").resolve(key)));
            Thread.sleep(1000);
            assertEquals(requests, receiver.requests().size(), "nothing is sent after the delivery");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void eventsPostedWhileTheReceiverIsDownArriveExactlyOnceWhenItIsBack(String database) throws Exception {
        int events = 20;
        try (WebhookReceiver receiver = new WebhookReceiver();
             RunningHub hub = hub(database, receiver).start()) {
            receiver.stop();
            long downSince = System.nanoTime();
            Map<String, byte[]> sent = new TreeMap<>();
            for (int i = 0; i < events; i++) {
                String jobId = "wh-down-" + database + "-" + i;
                byte[] event = Samples.with(i % 4 == 3 ? Samples.fail() : Samples.seed(), "JobId", jobId);
                sent.put(jobId, event);
                assertEquals(200, hub.post(event).statusCode());
            }
            assertEquals(events, hub.awaitCount(events, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'database' AND state = 'done'"),
                    "the database destination does not wait for the receiver");
            long left = Duration.ofSeconds(20).toMillis() - (System.nanoTime() - downSince) / 1_000_000;
            Thread.sleep(Math.max(0, left));
            long failedAttempts = hub.count("SELECT COALESCE(SUM(attempts), 0) FROM smarttag_delivery WHERE destination = 'indexer'");
            assertEquals(0, hub.deliveries("indexer", "done"));
            assertEquals(events, hub.deliveries("indexer", "pending"), deliveries(hub));
            // held (DestinationHolds): the receiver is tried again while down, one trial at a time, so
            // the events wait without using up their attempts and none is parked
            assertTrue(failedAttempts >= 2, "tried again while down: " + failedAttempts + " attempts");
            assertTrue(failedAttempts < 2L * events, "a down receiver costs trials, not attempts per event: " + failedAttempts);
            assertEquals(0, hub.deliveries("indexer", "parked"), deliveries(hub));

            receiver.start();
            assertEquals(events, hub.awaitCount(events, Duration.ofSeconds(45), "SELECT COUNT(*) FROM smarttag_delivery"
                    + " WHERE destination = 'indexer' AND state = 'done'"), () -> deliveries(hub));
            hub.awaitInboxSettled(WAIT);
            Thread.sleep(1500); // a late duplicate would show up now

            List<WebhookReceiver.Request> requests = receiver.requests();
            Map<String, Long> perJob = requests.stream()
                    .collect(Collectors.groupingBy(r -> Samples.field(r.body(), "JobId"), TreeMap::new, Collectors.counting()));
            Map<String, Long> once = new HashMap<>();
            sent.keySet().forEach(job -> once.put(job, 1L));
            assertEquals(new TreeMap<>(once), perJob, "every event exactly once");
            for (WebhookReceiver.Request request : requests) {
                assertArrayEquals(sent.get(Samples.field(request.body(), "JobId")), request.body());
            }
            Set<String> ids = requests.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
            assertEquals(events, ids.size());
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE state = 'parked'"), "nothing parked");
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'"), () -> deliveries(hub));
            assertEquals(events, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'database' AND attempts = 1"));
            assertEquals(events, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'archive' AND attempts = 1"));
            System.out.printf("webhook receiver down 20 s (%s): %d events, %d failed attempts meanwhile, then %d requests, one per event%n",
                    database, events, failedAttempts, requests.size());
        }
    }
}
