package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * hub.log.format=json (here as HUB_LOG_FORMAT, as a container would set it): every line the hub
 * process writes is one ECS JSON object, and every line about an event carries its job_id,
 * media_id and inbox_id as fields, so one event's history is one query in a log store.
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
}
