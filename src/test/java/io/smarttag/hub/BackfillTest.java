package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.inbox.EventIds;
import io.smarttag.hub.testsupport.ArchiveSeed;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backfill from the archive into a webhook destination added after the events were processed:
 * from the file archive and from S3 (S3Proxy), every archived event of the range is delivered
 * exactly once, with the event id a live delivery had (webhook-id), and none outside the range; a
 * hub process SIGKILLed in the middle and started again resumes from its checkpoint: nothing is
 * missing, and only events of the chunk in flight are delivered twice. An extra filter delivers
 * only matching events, one backfill per destination at a time; a destination that is down parks
 * the events, and retry-parked delivers them once it is back (PostgreSQL).
 */
class BackfillTest {

    private static final String TOKEN = "backfill-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 1);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void everyArchivedEventOnceWithItsLiveIdToAWebhookAddedLater(String archive) throws Exception {
        RunningHub.Builder first = RunningHub.builder().property("hub.management.token", TOKEN);
        if (archive.equals("s3")) {
            first.withS3();
        }
        // 20 events the hub processed live (archived by its archive destination) ...
        Map<String, String> liveIds = new HashMap<>();
        try (RunningHub hub = first.start()) {
            for (int i = 0; i < 20; i++) {
                String job = "live-" + i;
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", job, "EventTime", FIRST.plusDays(i % 10) + "T08:00:00Z")).statusCode());
                liveIds.put(job, EventIds.of("AIVideoTagComplete", job, "success"));
            }
            hub.awaitInboxSettled(WAIT);
            for (var live : liveIds.entrySet()) {
                assertEquals(live.getValue(), hub.query("SELECT id FROM smarttag_inbox WHERE job_id = ?", live.getKey()).get(0).get("id"));
            }
        }
        // ... and 1,980 more in the archive, spread over 30 days, plus 50 outside the range
        Map<String, byte[]> inRange = ArchiveSeed.events("old-", 1980, FIRST, 30, 10, "vod-events");
        Map<String, byte[]> outside = ArchiveSeed.events("outside-", 50, FIRST.minusDays(60), 20, 0, "vod-events");
        if (archive.equals("s3")) {
            try (S3Client s3 = TestServers.s3Client()) {
                ArchiveSeed.toS3(s3, first.property("hub.archive.bucket"), inRange);
                ArchiveSeed.toS3(s3, first.property("hub.archive.bucket"), outside);
            }
        } else {
            ArchiveSeed.toFiles(Path.of(first.property("hub.archive.dir")), inRange);
            ArchiveSeed.toFiles(Path.of(first.property("hub.archive.dir")), outside);
        }

        try (WebhookReceiver receiver = new WebhookReceiver().start()) {
            RunningHub.Builder second = RunningHub.builder();
            for (String key : List.of("hub.db.url", "hub.archive.dir", "hub.archive.bucket", "hub.archive.s3.endpoint",
                    "hub.archive.s3.access-key", "hub.archive.s3.secret-key", "hub.archive.s3.timeout-ms")) {
                if (first.property(key) != null) {
                    second.property(key, first.property(key));
                }
            }
            try (RunningHub hub = second.property("hub.management.token", TOKEN)
                    .property("hub.destinations", "database,archive,alert,indexer")
                    .property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.url", receiver.url("/events"))
                    .property("hub.backfill.max-rate", "0").property("hub.backfill.workers", "8")
                    .property("hub.backfill.poll-ms", "200")
                    .start()) {
                String port = hub.property("hub.management.port");
                HttpResponse<String> started = post(port, "/observe/backfill",
                        "{\"destination\":\"indexer\",\"from\":\"2026-10-01\",\"to\":\"2026-10-30\"}", TOKEN);
                assertEquals(201, started.statusCode(), started.body());
                String id = JSON.readTree(started.body()).path("id").asText();
                JsonNode done = awaitDone(port, id);
                assertEquals(2000, done.path("listed").asLong());
                assertEquals(2000, done.path("delivered").asLong());
                assertEquals(0, done.path("parked").asLong());

                List<WebhookReceiver.Request> requests = receiver.awaitRequests(2000, WAIT);
                Thread.sleep(500);
                requests = receiver.requests();
                assertEquals(2000, requests.size(), "each archived event of the range once, none outside it");
                Map<String, String> idByJob = requests.stream().collect(Collectors.toMap(
                        r -> Samples.field(r.body(), "JobId"), r -> r.header("webhook-id")));
                assertEquals(2000, idByJob.size());
                assertEquals(2000, new HashSet<>(idByJob.values()).size());
                liveIds.forEach((job, liveId) -> assertEquals(liveId, idByJob.get(job), "the live event id for " + job));
                assertTrue(idByJob.keySet().stream().noneMatch(job -> job.startsWith("outside-")));
                for (var entry : inRange.entrySet()) {
                    String job = Samples.field(entry.getValue(), "JobId");
                    WebhookReceiver.Request request = requests.stream().filter(r -> job.equals(Samples.field(r.body(), "JobId"))).findFirst()
                            .orElseThrow();
                    assertEquals(Samples.text(entry.getValue()), request.bodyText(), "the archived bytes, as received");
                    break;
                }
                // no inbox row per event: the inbox still holds the 20 live events only
                assertEquals(20, hub.count("SELECT COUNT(*) FROM smarttag_inbox"));
                assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'indexer'"));
                String metrics = hub.management("/observe/metrics").body();
                assertTrue(metrics.contains("smarttag_backfill_events_total{destination=\"indexer\",outcome=\"delivered\"} 2000.0"), metrics);
            }
        }
    }

    @Test
    void aKilledHubProcessResumesFromItsCheckpoint() throws Exception {
        Path home = Files.createTempDirectory("backfill-kill");
        Map<String, byte[]> archived = ArchiveSeed.events("kill-", 2000, FIRST, 20, 0, "vod-events");
        ArchiveSeed.toFiles(home.resolve("archive"), archived);
        int checkpointEvery = 50;
        int workers = 4;
        try (WebhookReceiver receiver = new WebhookReceiver().start()) {
            Map<String, String> properties = new HashMap<>();
            properties.put("hub.management.token", TOKEN);
            properties.put("hub.destinations", "archive,indexer");
            properties.put("hub.destination.indexer.type", "webhook");
            properties.put("hub.destination.indexer.url", receiver.url("/events"));
            properties.put("hub.backfill.max-rate", "150");
            properties.put("hub.backfill.workers", String.valueOf(workers));
            properties.put("hub.backfill.checkpoint-every", String.valueOf(checkpointEvery));
            properties.put("hub.backfill.lease-ms", "3000");
            properties.put("hub.backfill.poll-ms", "200");
            String id;
            try (HubProcess hub = HubProcess.start(home, properties)) {
                properties.put("hub.management.port", managementPort(hub));
                // started from the command line, as ops would
                String[] command = HubProcess.runTool(io.smarttag.hub.tools.BackfillCommand.class,
                        Map.of("hub.management.token", TOKEN, "hub.management.port", properties.get("hub.management.port")),
                        "--destination", "indexer", "--from", "2026-10-01", "--to", "2026-10-20");
                assertEquals("0", command[0], command[1]);
                id = JSON.readTree(command[1].trim().lines().reduce((a, b) -> b).orElse("")).path("id").asText();
                receiver.awaitRequests(700, WAIT);
                hub.kill(); // SIGKILL in the middle
            }
            int atKill = receiver.requests().size();
            properties.remove("hub.management.port");
            try (HubProcess hub = HubProcess.start(home, properties)) {
                String port = managementPort(hub);
                JsonNode done = awaitDone(port, id);
                List<WebhookReceiver.Request> requests = receiver.requests();
                Set<String> ids = requests.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
                int twice = requests.size() - ids.size();
                System.out.printf("backfill kill: %d requests before SIGKILL, %d in all, %d distinct events, %d delivered twice%n",
                        atKill, requests.size(), ids.size(), twice);
                assertEquals(2000, ids.size(), "nothing missing");
                Set<String> expected = archived.values().stream().map(ArchiveSeed::parse)
                        .map(e -> EventIds.of(e.getEventType(), e.getJobId(), e.getStatus())).collect(Collectors.toSet());
                assertEquals(expected, ids);
                assertTrue(atKill < 2000, "killed before the end");
                // what was done since the last checkpoint and what was in flight (2 x workers): at least once, bounded
                assertTrue(twice <= checkpointEvery + 2 * workers, "only the events since the checkpoint again: " + twice);
                assertEquals(2000, done.path("handled").asLong());
            }
        }
    }

    @Test
    void anExtraFilterTakesOnlyMatchingEventsAndOneBackfillPerDestination() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver().start()) {
            RunningHub.Builder builder = RunningHub.builder().property("hub.management.token", TOKEN)
                    .property("hub.destinations", "archive,indexer")
                    .property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.url", receiver.url("/events"))
                    .property("hub.backfill.max-rate", "10").property("hub.backfill.poll-ms", "200");
            Map<String, byte[]> archived = ArchiveSeed.events("mixed-", 40, FIRST, 4, 4, "vod-events");
            ArchiveSeed.toFiles(Path.of(builder.property("hub.archive.dir")), archived);
            try (RunningHub hub = builder.start()) {
                String port = hub.property("hub.management.port");
                assertEquals(401, post(port, "/observe/backfill", "{}", "wrong").statusCode());
                HttpResponse<String> started = post(port, "/observe/backfill",
                        "{\"destination\":\"indexer\",\"from\":\"2026-10-01\",\"to\":\"2026-10-04\",\"kinds\":\"fail\"}", TOKEN);
                assertEquals(201, started.statusCode(), started.body());
                HttpResponse<String> second = post(port, "/observe/backfill",
                        "{\"destination\":\"indexer\",\"from\":\"2026-10-01\",\"to\":\"2026-10-04\"}", TOKEN);
                assertEquals(409, second.statusCode(), "one backfill per destination at a time: " + second.body());
                assertEquals(400, post(port, "/observe/backfill", "{\"destination\":\"nope\",\"from\":\"2026-10-01\",\"to\":\"2026-10-04\"}",
                        TOKEN).statusCode());
                JsonNode done = awaitDone(port, JSON.readTree(started.body()).path("id").asText());
                assertEquals(10, done.path("delivered").asLong());
                assertEquals(30, done.path("skipped").asLong());
                Thread.sleep(300);
                assertEquals(10, receiver.requests().size());
                assertTrue(receiver.requests().stream().allMatch(r -> "fail".equals(Samples.field(r.body(), "Status"))));
                // the destination is free again
                assertEquals(201, post(port, "/observe/backfill", "{\"destination\":\"indexer\",\"from\":\"2026-10-01\",\"to\":\"2026-10-01\"}",
                        TOKEN).statusCode());
            }
        }
    }

    @Test
    void aDestinationThatIsDownParksAndRetryParkedDeliversOnceItIsBack() throws Exception {
        int port = TestServers.freePort(); // nothing listens: the receiver is down
        RunningHub.Builder builder = RunningHub.builder().onPostgres().property("hub.management.token", TOKEN)
                .property("hub.destinations", "archive,indexer")
                .property("hub.destination.indexer.type", "webhook")
                .property("hub.destination.indexer.url", "http://127.0.0.1:" + port + "/events")
                .property("hub.destination.indexer.timeout-ms", "1000")
                .property("hub.retry.initial-delay-ms", "100").property("hub.retry.max-delay-ms", "200")
                .property("hub.retry.max-attempts", "3")
                .property("hub.backfill.max-rate", "0").property("hub.backfill.poll-ms", "200");
        Map<String, byte[]> archived = ArchiveSeed.events("down-", 30, FIRST, 3, 0, "vod-events");
        ArchiveSeed.toFiles(Path.of(builder.property("hub.archive.dir")), archived);
        try (RunningHub hub = builder.start()) {
            String management = hub.property("hub.management.port");
            HttpResponse<String> started = post(management, "/observe/backfill",
                    "{\"destination\":\"indexer\",\"from\":\"2026-10-01\",\"to\":\"2026-10-03\"}", TOKEN);
            String id = JSON.readTree(started.body()).path("id").asText();
            JsonNode done = awaitDone(management, id);
            assertEquals(0, done.path("delivered").asLong());
            assertEquals(30, done.path("parked").asLong());
            assertEquals(90, done.path("failed").asLong(), "three attempts each");
            assertEquals(30, hub.count("SELECT COUNT(*) FROM smarttag_backfill_item WHERE backfill_id = ? AND state = 'parked'", id));
            JsonNode one = JSON.readTree(hub.management("/observe/backfill/" + id, "Authorization", "Bearer " + TOKEN).body());
            assertEquals(30, one.path("parkedItems").size());
            assertTrue(one.path("parkedItems").path(0).path("lastError").asText().length() > 0);

            try (WebhookReceiver receiver = new WebhookReceiver(port).start()) {
                assertEquals(200, post(management, "/observe/backfill/" + id + "/retry-parked", "", TOKEN).statusCode());
                JsonNode again = awaitDone(management, id);
                assertEquals(30, again.path("delivered").asLong());
                assertEquals(0, again.path("parked").asLong());
                Thread.sleep(300);
                assertEquals(30, receiver.requests().size());
                assertEquals(30, receiver.requests().stream().map(r -> r.header("webhook-id")).distinct().count());
            }
        }
    }

    private static String managementPort(HubProcess hub) {
        return String.valueOf(hub.managementPort());
    }

    static JsonNode awaitDone(String port, String id) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/backfill/" + id))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                last = JSON.readTree(response.body());
                if (!"running".equals(last.path("state").asText())) {
                    assertEquals("done", last.path("state").asText(), last.toString());
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("backfill " + id + " not done within " + WAIT + ": " + last);
    }

    static HttpResponse<String> post(String port, String path, String body, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
