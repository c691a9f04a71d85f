package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input gets 400/413 with a JSON reason, is kept in quarantine, and never becomes rows. */
class InvalidInputTest {

    private static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.builder().property("hub.http.max-body-bytes", "65536").start();
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private void assertRejectedAndQuarantined(byte[] body, String reasonPart) throws Exception {
        long before = hub.count("SELECT COUNT(*) FROM smarttag_quarantine");
        HttpResponse<String> response = hub.post(body);
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(response.body().contains("\"error\":\"invalid_event\""), response.body());
        assertTrue(response.body().contains(reasonPart), response.body());
        assertEquals(before + 1, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"));
        List<Map<String, Object>> kept = hub.query(
                "SELECT source, reason, body FROM smarttag_quarantine ORDER BY received_at DESC LIMIT 1");
        assertEquals("http", kept.get(0).get("source"));
        assertTrue(String.valueOf(kept.get(0).get("reason")).contains(reasonPart));
        assertArrayEquals(body, (byte[]) kept.get(0).get("body"), "the rejected body is kept as received");
    }

    @Test
    void malformedJsonIs400AndQuarantined() throws Exception {
        assertRejectedAndQuarantined("{\"EventType\": \"AIVideoTagComplete\", ".getBytes(StandardCharsets.UTF_8), "JSON");
    }

    @Test
    void missingJobIdIs400AndQuarantined() throws Exception {
        String event = Samples.text(Samples.seed()).replace("\"JobId\"", "\"NoJobId\"");
        assertRejectedAndQuarantined(event.getBytes(StandardCharsets.UTF_8), "JobId");
    }

    @Test
    void unknownStatusIs400AndQuarantined() throws Exception {
        assertRejectedAndQuarantined(Samples.with(Samples.seed(), "Status", "processing"), "Status");
    }

    @Test
    void dataThatIsNotJsonIs400AndQuarantined() throws Exception {
        assertRejectedAndQuarantined(Samples.with(Samples.seed(), "JobId", "bad-data", "Data", "not json"), "Data");
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'bad-data'"));
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        byte[] big = Samples.with(Samples.seed(), "Message", "x".repeat(70_000));
        HttpResponse<String> response = hub.post(big);
        assertEquals(413, response.statusCode());
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox"));
    }

    @Test
    void nothingOfARejectedEventReachesTheTables() throws Exception {
        hub.post(Samples.with(Samples.seed(), "JobId", "rejected-1", "Status", "done"));
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'rejected-1'"));
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'rejected-1'"));
    }
}
