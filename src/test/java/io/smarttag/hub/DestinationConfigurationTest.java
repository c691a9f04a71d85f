package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Outbox;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.StandardWebhooksVerifier;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.testsupport.WebhookReceiver;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Destinations are configuration: added by environment variables alone, several of one type each with
 * its own options, each with its own retries and parking, a mistake refused at start, and `when`
 * deciding which events a destination takes.
 */
class DestinationConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The seed's EventTime (2017-03-20T07:49:17Z) and MediaId, as the archive key has them. */
    private static String archiveKey(String prefix, String jobId, String status) {
        return prefix + "/2017/03/20/sj83k40d92c641401fab46a0b842e9****/" + jobId + "-" + status + ".json";
    }

    @Test
    void aDestinationAddedByEnvironmentVariablesAloneReceivesEvents(@TempDir Path home) throws Exception {
        String secret = WebhookDestinationTest.newSecret();
        try (WebhookReceiver indexer = new WebhookReceiver(); WebhookReceiver lake = new WebhookReceiver()) {
            // Environment variable names as ops write them; application.properties is not touched.
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HUB_DESTINATIONS", "database,archive,alert,indexer,data-lake");
            env.put("HUB_DESTINATION_INDEXER_TYPE", "webhook");
            env.put("HUB_DESTINATION_INDEXER_URL", indexer.url("/indexer"));
            env.put("HUB_DESTINATION_INDEXER_SECRET", secret);
            // a name with a dash: its variables have an underscore there
            env.put("HUB_DESTINATION_DATA_LAKE_TYPE", "webhook");
            env.put("HUB_DESTINATION_DATA_LAKE_URL", lake.url("/lake"));
            env.put("HUB_DESTINATION_DATA_LAKE_WHEN", "fail");
            try (HubProcess hub = HubProcess.start(home, env)) {
                byte[] success = Samples.with(Samples.seed(), "JobId", "env-success");
                byte[] failed = Samples.with(Samples.fail(), "JobId", "env-fail");
                assertEquals(200, hub.post(success).statusCode());
                assertEquals(200, hub.post(failed).statusCode());

                List<WebhookReceiver.Request> received = indexer.awaitRequests(2, WAIT);
                lake.awaitRequests(1, WAIT);
                Thread.sleep(1000);
                received = indexer.requests();
                assertEquals(2, received.size(), "the indexer takes success and fail (a webhook's default when)");
                for (WebhookReceiver.Request request : received) {
                    assertEquals("/indexer", request.path());
                    byte[] expected = Samples.field(request.body(), "JobId").equals("env-success") ? success : failed;
                    assertArrayEquals(expected, request.body());
                    assertTrue(StandardWebhooksVerifier.verify(secret, request.headers(), request.body(), 300),
                            "signed with HUB_DESTINATION_INDEXER_SECRET: " + request.headers());
                }
                assertEquals(1, lake.requests().size(), "HUB_DESTINATION_DATA_LAKE_WHEN=fail");
                assertArrayEquals(failed, lake.requests().get(0).body());
                assertNull(lake.requests().get(0).header("webhook-signature"), "no secret, no signature");
                String metrics = hub.management("/observe/metrics").body();
                assertTrue(metrics.contains("destination=\"indexer\"") && metrics.contains("destination=\"data-lake\""),
                        "both destinations are known to the hub by name");
            }
        }
    }

    @Test
    void twoArchivesAndTwoAlertDestinationsEachDeliverWithTheirOwnOptions() throws Exception {
        RunningHub.Builder builder = RunningHub.builder();
        Path home = Files.createTempDirectory("smarttag-two-of-a-type");
        Path archive2 = home.resolve("archive-2");
        Path outbox2 = home.resolve("outbox-2");
        try (RunningHub hub = builder
                .property("hub.destinations", "database,archive,archive2,alert,alert2")
                .property("hub.destination.archive2.type", "archive")
                .property("hub.destination.archive2.dir", archive2.toString())
                .property("hub.destination.archive2.prefix", "second/tier")
                .property("hub.destination.alert2.type", "alert")
                .property("hub.destination.alert2.to", "oncall@example.com")
                .property("hub.destination.alert2.outbox-dir", outbox2.toString())
                .start()) {
            byte[] success = Samples.with(Samples.seed(), "JobId", "two-archives");
            byte[] failed = Samples.with(Samples.fail(), "JobId", "two-alerts");
            assertEquals(200, hub.post(success).statusCode());
            assertEquals(200, hub.post(failed).statusCode());
            hub.awaitInboxSettled(WAIT);
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'"), WebhookDestinationTest.deliveries(hub));

            Path archive = hub.home().resolve("archive");
            assertArrayEquals(success, Files.readAllBytes(archive.resolve(archiveKey("vod-events", "two-archives", "success"))));
            assertArrayEquals(success, Files.readAllBytes(archive2.resolve(archiveKey("second/tier", "two-archives", "success"))),
                    "archive2 has the raw event under its own dir and prefix");
            assertArrayEquals(failed, Files.readAllBytes(archive.resolve(
                    "vod-events/2017/03/20/sj83k40d92c641401fab46a0b842e9****/two-alerts-fail.json")));
            assertArrayEquals(failed, Files.readAllBytes(archive2.resolve(
                    "second/tier/2017/03/20/sj83k40d92c641401fab46a0b842e9****/two-alerts-fail.json")));
            assertEquals(2, io.smarttag.hub.testsupport.LiveFiles.under(archive2, p -> true).size(), "nothing else in archive2");
            assertEquals(2, hub.deliveries("archive2", "done"));
            assertEquals("vod-events/2017/03/20/sj83k40d92c641401fab46a0b842e9****/two-archives-success.json",
                    hub.query("SELECT archive_key FROM smarttag_job WHERE job_id = 'two-archives'").get(0).get("archive_key"),
                    "the job row points to the default archive");

            List<MimeMessage> first = Outbox.await(hub.home().resolve("outbox"), 1, WAIT);
            List<MimeMessage> second = Outbox.await(outbox2, 1, WAIT);
            Thread.sleep(500);
            assertEquals(1, Outbox.mails(hub.home().resolve("outbox")).size());
            assertEquals(1, Outbox.mails(outbox2).size());
            assertEquals("ops@localhost", ((InternetAddress) first.get(0).getAllRecipients()[0]).getAddress());
            assertEquals("oncall@example.com", ((InternetAddress) second.get(0).getAllRecipients()[0]).getAddress());
            for (MimeMessage mail : List.of(first.get(0), second.get(0))) {
                assertEquals("[smarttag] job two-alerts failed: InternalError", mail.getSubject());
            }
            assertEquals("done", hub.deliveryState("two-alerts", "alert"));
            assertEquals("done", hub.deliveryState("two-alerts", "alert2"));
            assertNull(hub.deliveryState("two-archives", "alert2"), "alert2 takes failed jobs only (its type's when)");
        }
    }

    @Test
    void oneFailingDestinationParksAloneAndOpsAreToldWhich() throws Exception {
        String jobId = "one-fails";
        try (WebhookReceiver receiver = new WebhookReceiver().respondWith(503);
             RunningHub hub = RunningHub.builder()
                     .property("hub.destinations", "database,archive,alert,indexer")
                     .property("hub.destination.indexer.type", "webhook")
                     .property("hub.destination.indexer.url", receiver.url("/indexer"))
                     .property("hub.retry.max-attempts", "3")
                     .property("hub.retry.initial-delay-ms", "200")
                     .property("hub.retry.multiplier", "1.0")
                     .property("hub.sweep.interval-ms", "200")
                     .start()) {
            byte[] event = Samples.with(Samples.seed(), "JobId", jobId);
            assertEquals(200, hub.post(event).statusCode());

            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = 'parked'", jobId),
                    () -> WebhookDestinationTest.deliveries(hub));
            assertEquals("parked", hub.deliveryState(jobId, "indexer"));
            assertEquals(3, WebhookDestinationTest.attempts(hub, jobId, "indexer"));
            assertEquals(3, receiver.requests().size(), "one request per attempt, none after parking");
            assertEquals("done", hub.deliveryState(jobId, "database"));
            assertEquals(1, WebhookDestinationTest.attempts(hub, jobId, "database"));
            assertEquals("done", hub.deliveryState(jobId, "archive"));
            assertEquals(1, WebhookDestinationTest.attempts(hub, jobId, "archive"));
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
            Map<String, Object> parked = hub.query("SELECT d.last_error FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                    + " WHERE i.job_id = ? AND d.destination = 'indexer'", jobId).get(0);
            assertTrue(String.valueOf(parked.get("last_error")).contains("503"), String.valueOf(parked.get("last_error")));

            List<MimeMessage> notices = Outbox.await(hub.home().resolve("outbox"), 1, WAIT);
            Thread.sleep(1000);
            assertEquals(1, Outbox.mails(hub.home().resolve("outbox")).size(), "one notice, and no failed-job alert for a success");
            MimeMessage notice = notices.get(0);
            assertTrue(notice.getSubject().contains("parked") && notice.getSubject().contains(jobId)
                    && notice.getSubject().contains("indexer"), notice.getSubject());
            String text = Outbox.text(notice);
            assertTrue(text.contains("Destination: indexer"), text);
            assertTrue(text.contains("Attempts: 3"), text);
            Thread.sleep(1000);
            assertEquals(3, receiver.requests().size(), "a parked delivery is not tried again");
        }
    }

    @Test
    void anUnknownTypeOrABadWhenFailsTheStartWithAClearMessage() throws Exception {
        String unknownType = startFailure(Map.of("hub.destinations", "database,archive,alert,indexer",
                "hub.destination.indexer.type", "webhok", "hub.destination.indexer.url", "http://127.0.0.1:9/x"));
        assertTrue(unknownType.contains("indexer") && unknownType.contains("webhok"), unknownType);

        String badWhen = startFailure(Map.of("hub.destinations", "database,archive,alert,indexer",
                "hub.destination.indexer.type", "webhook", "hub.destination.indexer.url", "http://127.0.0.1:9/x",
                "hub.destination.indexer.when", "success,failed"));
        assertTrue(badWhen.contains("hub.destination.indexer.when") && badWhen.contains("failed"), badWhen);

        String noType = startFailure(Map.of("hub.destinations", "database,archive,alert,indexer",
                "hub.destination.indexer.url", "http://127.0.0.1:9/x"));
        assertTrue(noType.contains("hub.destination.indexer.type"), noType);
    }

    @Test
    void aMalformedS3OptionFailsTheStartWithAClearMessage() throws Exception {
        // the S3 client itself is built at its first use (S3Clients.bind), its options are read at start
        String endpoint = startFailure(Map.of("hub.archive.bucket", "audit", "hub.archive.s3.endpoint", "http://s3 proxy:9000"));
        assertTrue(endpoint.contains("s3.endpoint") && endpoint.contains("http://s3 proxy:9000"), endpoint);

        String noScheme = startFailure(Map.of("hub.archive.bucket", "audit", "hub.archive.s3.endpoint", "minio:9000"));
        assertTrue(noScheme.contains("s3.endpoint") && noScheme.contains("http or https"), noScheme);

        String timeout = startFailure(Map.of("hub.destinations", "database,archive,alert,vault", "hub.destination.vault.type", "archive",
                "hub.destination.vault.bucket", "vault", "hub.destination.vault.s3.timeout-ms", "10s"));
        assertTrue(timeout.contains("hub.destination.vault.s3.timeout-ms") && timeout.contains("10s"), timeout);
    }

    /** Starts a hub that must not start; returns the messages of the failure, cause by cause. */
    static String startFailure(Map<String, String> properties) throws Exception {
        RunningHub.Builder builder = RunningHub.builder();
        properties.forEach(builder::property);
        int port = TestServers.freePort();
        builder.property("hub.http.port", String.valueOf(port));
        long started = System.nanoTime();
        Exception failure = assertThrows(Exception.class, () -> {
            RunningHub hub = builder.start();
            hub.close();
        }, "the hub started with " + properties);
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        System.out.printf("start refused after %d ms: %s%n", (System.nanoTime() - started) / 1_000_000, messages);
        try (Socket probe = new Socket("127.0.0.1", port)) {
            throw new AssertionError("the callback port is open although the start failed");
        } catch (java.net.ConnectException expected) {
            // nothing listens: the failed start left no half-running hub behind
        }
        return messages.toString();
    }

    @Test
    void whenFailSendsOnlyFailedJobs() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
             RunningHub hub = RunningHub.builder()
                     .property("hub.destinations", "database,archive,alert,failures")
                     .property("hub.destination.failures.type", "webhook")
                     .property("hub.destination.failures.url", receiver.url("/failures"))
                     .property("hub.destination.failures.when", "fail")
                     .start()) {
            byte[] success = Samples.with(Samples.seed(), "JobId", "when-success");
            byte[] failed = Samples.with(Samples.fail(), "JobId", "when-fail");
            assertEquals(200, hub.post(success).statusCode());
            assertEquals(200, hub.post(failed).statusCode());
            hub.awaitInboxSettled(WAIT);
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'"), WebhookDestinationTest.deliveries(hub));
            Thread.sleep(500);

            List<WebhookReceiver.Request> requests = receiver.requests();
            assertEquals(1, requests.size(), "only the failed job is sent");
            assertArrayEquals(failed, requests.get(0).body());
            assertEquals("done", hub.deliveryState("when-fail", "failures"));
            assertNull(hub.deliveryState("when-success", "failures"), "a success is not the destination's business");
            assertEquals("done", hub.deliveryState("when-success", "database"));
        }
    }
}
