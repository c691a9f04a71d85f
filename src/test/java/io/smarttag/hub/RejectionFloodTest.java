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
}
