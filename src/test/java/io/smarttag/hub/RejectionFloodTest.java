package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.LogCapture;
import io.smarttag.hub.testsupport.RunningHub;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A flood of bad input is answered and counted one by one, but logged at most
 * hub.log.rejections-per-minute times a minute: it cannot flood the log either.
 */
class RejectionFloodTest {

    @Test
    void rejectionsAreCountedEachButLoggedAtMostTheLimitPerMinute() throws Exception {
        try (RunningHub hub = RunningHub.builder().property("hub.log.rejections-per-minute", "10").start();
             LogCapture log = new LogCapture()) {
            for (int i = 0; i < 300; i++) {
                assertEquals(400, hub.post("{not json " + i).statusCode());
            }
            List<String> lines = log.lines().stream().filter(l -> l.contains("rejected http event")).toList();
            assertEquals(10, lines.size(), "at most the limit: " + lines.size());
            assertTrue(hub.management("/observe/metrics").body()
                    .contains("smarttag_events_rejected_total{reason=\"invalid_json\",source=\"http\"} 300.0"), "every one counted");
            assertEquals(300, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"), "and every one kept");
        }
    }

    @Test
    void oversizedBodiesAreAnsweredInJsonCountedAndLoggedAtMostTheLimit() throws Exception {
        try (RunningHub hub = RunningHub.builder().property("hub.log.rejections-per-minute", "10")
                .property("hub.http.max-body-bytes", "65536").start();
             LogCapture log = new LogCapture()) {
            byte[] big = new byte[70_000];
            java.util.Arrays.fill(big, (byte) 'x');
            for (int i = 0; i < 100; i++) {
                var response = hub.post(big);
                assertEquals(413, response.statusCode());
                assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
                assertTrue(response.body().contains("\"error\":\"too_large\"") && response.body().contains("65536"), response.body());
            }
            List<String> lines = log.lines();
            assertEquals(10, lines.stream().filter(l -> l.contains("refused callback (413)")).count(), "at most the limit");
            assertEquals(0, lines.stream().filter(l -> l.contains("ERROR")).count(), "no ERROR line per request: "
                    + lines.stream().filter(l -> l.contains("ERROR")).limit(3).toList());
            assertTrue(hub.management("/observe/metrics").body()
                    .contains("smarttag_events_rejected_total{reason=\"too_large\",source=\"http\"} 100.0"), "every one counted");
            assertEquals(200, hub.post(io.smarttag.hub.testsupport.Samples.seed()).statusCode(), "and the next callback is taken");
        }
    }
}
