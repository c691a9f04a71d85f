package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.LiveFiles;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hub.log.format=json (here as HUB_LOG_FORMAT, as a container would set it): every line the hub
 * process writes is one ECS JSON object, and every line about an event carries its job_id,
 * media_id and inbox_id as fields, so one event's history is one query in a log store. Every event
 * leaves an accept line (new or duplicate), a finish line per attempt and a line per alert sent
 * (EventLog), unless hub.log.events=false; the hub logs asynchronously, and a clean stop loses none
 * of the lines logged before it.
 */
class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsJsonAndLinesAboutAnEventCarryItsIds() throws Exception {
        Path home = Files.createTempDirectory("json-logs");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.log.format", "json");
        props.put("hub.alert.smtp.host", "127.0.0.1");
        props.put("hub.alert.smtp.port", String.valueOf(TestServers.freePort())); // nothing listens: the alert fails
        props.put("hub.alert.smtp.timeout-ms", "1000");
        props.put("hub.retry.max-attempts", "2");
        props.put("hub.retry.initial-delay-ms", "200");
        props.put("hub.sweep.interval-ms", "200");
        byte[] fail = Samples.with(Samples.fail(), "JobId", "json-log-job\nFAKE LINE");
        String jobId = Samples.field(fail, "JobId");
        try (HubProcess hub = HubProcess.start(home, props)) {
            assertEquals(200, hub.post(fail).statusCode());
            assertEquals(400, hub.post("{not json".getBytes()).statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readString(hub.log()).contains("PARKED") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            hub.terminate(Duration.ofSeconds(30));
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("hub.log"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = JSON.readTree(line); // fails the test on a line that is not JSON
            assertTrue(node.isObject(), line);
            assertTrue(node.hasNonNull("@timestamp") && node.hasNonNull("log.level") && node.hasNonNull("message"), line);
            lines.add(node);
        }
        assertTrue(lines.size() > 10, "lines: " + lines.size());
        List<JsonNode> aboutTheEvent = lines.stream().filter(n -> n.path("message").asText().contains("a1b2") || n.has("job_id")
                && !n.path("job_id").asText().isEmpty()).toList();
        List<JsonNode> retried = lines.stream().filter(n -> n.path("message").asText().contains("will be retried")).toList();
        List<JsonNode> parked = lines.stream().filter(n -> n.path("message").asText().contains("PARKED")).toList();
        assertEquals(1, retried.size(), "one WARN per failed attempt");
        assertEquals(1, parked.size());
        for (JsonNode line : List.of(retried.get(0), parked.get(0))) {
            assertEquals(jobId.replace('\n', '_'), line.path("job_id").asText(), line.toString());
            assertEquals(Samples.field(fail, "MediaId"), line.path("media_id").asText(), line.toString());
            assertFalse(line.path("inbox_id").asText().isEmpty(), line.toString());
            assertEquals("process", line.path("camel.routeId").asText(), line.toString());
            assertFalse(line.path("message").asText().contains("\n"), "one line: " + line);
        }
        assertEquals("WARN", retried.get(0).path("log.level").asText());
        assertEquals("ERROR", parked.get(0).path("log.level").asText());
        assertFalse(aboutTheEvent.isEmpty());
    }

    /**
     * The seed sample and the failed-job sample, and the seed sample again (a duplicate delivery):
     * each has its accept line, each processed event its finish line with every destination's
     * outcome, and the failed job the line of the alert that went out (the .eml outbox here), all
     * JSON with job_id, media_id and inbox_id as fields.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anEventCanBeFollowedByItsJobId(String database) throws Exception {
        Path home = Files.createTempDirectory("event-lines");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.log.format", "json");
        if (database.equals("postgres")) {
            props.put("hub.db.url", TestServers.newPostgresDatabase());
            props.put("hub.db.user", "postgres");
            props.put("hub.db.password", "postgres");
        }
        byte[] seed = Samples.seed();
        byte[] fail = Samples.fail();
        String seedJob = Samples.field(seed, "JobId");
        String failJob = Samples.field(fail, "JobId");
        List<JsonNode> lines;
        try (HubProcess hub = HubProcess.start(home, props)) {
            assertEquals(200, hub.post(seed).statusCode());
            assertEquals(200, hub.post(fail).statusCode());
            assertEquals(200, hub.post(seed).statusCode());
            awaitLines(hub, n -> "finished".equals(action(n)) && n.path("job_id").asText().equals(seedJob));
            awaitLines(hub, n -> "finished".equals(action(n)) && n.path("job_id").asText().equals(failJob));
            awaitLines(hub, n -> "alert".equals(action(n)));
            hub.terminate(Duration.ofSeconds(30));
            lines = jsonLines(hub.log());
        }
        for (byte[] event : List.of(seed, fail)) {
            String job = Samples.field(event, "JobId");
            JsonNode accepted = single(lines, n -> "accepted".equals(action(n)) && job.equals(n.path("job_id").asText()));
            assertIds(accepted, event);
            assertTrue(accepted.path("message").asText().contains("from http"), accepted.toString());
            assertTrue(accepted.path("message").asText().contains(Samples.field(event, "Status")), accepted.toString());
            JsonNode finished = single(lines, n -> "finished".equals(action(n)) && job.equals(n.path("job_id").asText()));
            assertIds(finished, event);
            assertEquals(accepted.path("inbox_id").asText(), finished.path("inbox_id").asText(), "the same inbox event");
            assertEquals("done", finished.path("event.state").asText(), finished.toString());
            assertTrue(finished.path("event.duration").asLong() > 0, "time from accept to finish: " + finished);
            String message = finished.path("message").asText();
            assertTrue(message.contains("database done") && message.contains("archive done"), message);
            assertEquals(event == fail, message.contains("alert done"), message);
        }
        JsonNode duplicate = single(lines, n -> "duplicate".equals(action(n)));
        assertEquals(seedJob, duplicate.path("job_id").asText(), duplicate.toString());
        assertEquals(Samples.field(seed, "MediaId"), duplicate.path("media_id").asText(), duplicate.toString());
        assertTrue(duplicate.path("message").asText().contains("duplicate"), duplicate.toString());
        JsonNode alert = single(lines, n -> "alert".equals(action(n)));
        assertIds(alert, fail);
        assertEquals("alert", alert.path("destination").asText(), alert.toString());
        assertTrue(alert.path("message").asText().contains("via email (1 recipient)"), alert.toString());
    }

    /** hub.log.events=false: the events are processed as before, and none of the per-event lines is written. */
    @Test
    void eventLinesCanBeTurnedOff() throws Exception {
        Path home = Files.createTempDirectory("event-lines-off");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.log.format", "json");
        props.put("hub.log.events", "false");
        try (HubProcess hub = HubProcess.start(home, props)) {
            assertEquals(200, hub.post(Samples.seed()).statusCode());
            assertEquals(200, hub.post(Samples.fail()).statusCode());
            assertEquals(200, hub.post(Samples.seed()).statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (LiveFiles.under(home.resolve("outbox"), f -> f.toString().endsWith(".eml")).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100); // the failed job's alert is the last thing it does
            }
            assertEquals(1, LiveFiles.under(home.resolve("outbox"), f -> f.toString().endsWith(".eml")).size());
            hub.terminate(Duration.ofSeconds(30));
            List<JsonNode> lines = jsonLines(hub.log());
            assertTrue(lines.size() > 10, "the hub logged: " + lines.size());
            assertEquals(List.of(), lines.stream().filter(n -> n.has("event.action")).toList());
            assertEquals(List.of(), lines.stream().filter(n -> n.has("job_id")).toList(), "no line about the events");
        }
    }

    /**
     * The lines logged when a clean stop (SIGTERM) begins, and those Camel logs while it stops, are
     * all written before the process ends, down to the last line the hub logs (log4j is stopped
     * last, HubMain.stopOnSigterm).
     */
    @Test
    void aCleanStopLosesNoLine() throws Exception {
        Path home = Files.createTempDirectory("log-stop");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("hub.log.format", "json");
        List<String> jobs = new ArrayList<>();
        List<JsonNode> lines;
        try (HubProcess hub = HubProcess.start(home, props)) {
            for (int i = 0; i < 50; i++) {
                String job = "stop-" + i;
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", job)).statusCode());
                jobs.add(job);
            }
            hub.terminate(Duration.ofSeconds(60)); // at once: lines are still queued
            lines = jsonLines(hub.log());
        }
        for (String job : jobs) {
            single(lines, n -> "accepted".equals(action(n)) && job.equals(n.path("job_id").asText()));
        }
        assertTrue(lines.stream().anyMatch(n -> n.path("message").asText().matches("Apache Camel .* shutdown in .*")),
                "Camel's last line while stopping");
        assertEquals("smarttag-hub stopped", lines.get(lines.size() - 1).path("message").asText(), "the hub's last line");
    }

    private static String action(JsonNode line) {
        return line.path("event.action").asText(null);
    }

    private static void assertIds(JsonNode line, byte[] event) {
        assertEquals(Samples.field(event, "JobId"), line.path("job_id").asText(), line.toString());
        assertEquals(Samples.field(event, "MediaId"), line.path("media_id").asText(), line.toString());
        assertFalse(line.path("inbox_id").asText().isEmpty(), "inbox_id: " + line);
    }

    private static JsonNode single(List<JsonNode> lines, Predicate<JsonNode> which) {
        List<JsonNode> found = lines.stream().filter(which).toList();
        assertEquals(1, found.size(), "one such line: " + found);
        return found.get(0);
    }

    /** Every line of the log, each parsed as JSON (a line that is not fails the test). */
    private static List<JsonNode> jsonLines(Path log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                assertTrue(node.isObject() && node.hasNonNull("message"), line);
                lines.add(node);
            }
        }
        return lines;
    }

    private static void awaitLines(HubProcess hub, Predicate<JsonNode> which) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(hub.log())) {
                if (line.startsWith("{") && line.endsWith("}") && which.test(JSON.readTree(line))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such line in " + hub.log());
    }
}
