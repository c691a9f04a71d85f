package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.LogCapture;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every field that is stored has a limit: a value that would not fit its column is refused at
 * accept (400 + quarantine), the longest values that fit are stored as sent, and whatever still
 * fails inside the database destination's transaction is counted as an attempt with its error,
 * backs off and parks, with one WARN line per attempt and no stack trace. Earlier an over-long
 * Message got 200 and then stayed 'processing' for ever, with thousands of stack-trace lines.
 */
class FieldLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningHub.Builder hub(String database) {
        RunningHub.Builder builder = RunningHub.builder();
        return "postgres".equals(database) ? builder.onPostgres() : builder;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void valuesTooLongForTheirColumnAreRefusedAtAccept(String database) throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("Message", Samples.with(Samples.fail(), "JobId", "lim-message", "Message", "m".repeat(2001)));
        cases.put("Code", Samples.with(Samples.fail(), "JobId", "lim-code", "Code", "C".repeat(257)));
        cases.put("EventType", Samples.with(Samples.seed(), "JobId", "lim-type", "EventType", "T".repeat(257)));
        cases.put("MediaId", Samples.with(Samples.seed(), "JobId", "lim-media", "MediaId", "M".repeat(257)));
        cases.put("JobId", Samples.with(Samples.seed(), "JobId", "J".repeat(257)));
        cases.put("Data category name", Samples.successWithData("lim-category", "{\"" + "K".repeat(257) + "\":[{\"Tag\":\"t\"}]}"));
        cases.put("NUL", Samples.with(Samples.fail(), "JobId", "lim-nul", "Message", "before\u0000after"));
        cases.put("Tag", Samples.successWithData("lim-tag-nul", "{\"Keyword\":[{\"Tag\":\"a\\u0000b\"}]}"));
        try (RunningHub hub = hub(database).start()) {
            int quarantined = 0;
            for (Map.Entry<String, byte[]> c : cases.entrySet()) {
                HttpResponse<String> response = hub.post(c.getValue());
                assertEquals(400, response.statusCode(), c.getKey() + ": " + response.body());
                assertTrue(response.body().contains(c.getKey()), c.getKey() + ": " + response.body());
                quarantined++;
                assertEquals(quarantined, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"), c.getKey());
            }
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theLongestValuesThatFitAreStoredAsSent(String database) throws Exception {
        String message = "\u00e9".repeat(2000);
        String code = "C".repeat(256);
        String jobId = "J".repeat(256);
        String mediaId = "M".repeat(256);
        String category = "K".repeat(256);
        byte[] fail = Samples.with(Samples.fail(), "JobId", "fit-fail", "Message", message, "Code", code,
                "EventTime", "+99999-01-01T00:00:00Z");
        byte[] success = Samples.with(Samples.successWithData(jobId, "{\"" + category + "\":[{\"Tag\":\"t\",\"Times\":[\"1\"]}]}"),
                "MediaId", mediaId);
        byte[] other = Samples.with(Samples.seed(), "JobId", "fit-other", "EventType", "T".repeat(256));
        try (RunningHub hub = hub(database).start()) {
            for (byte[] event : List.of(fail, success, other)) {
                HttpResponse<String> response = hub.post(event);
                assertEquals(200, response.statusCode(), response.body());
            }
            hub.awaitInboxSettled(WAIT);
            assertEquals(3, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done' AND attempts = 1"));
            Map<String, Object> failed = hub.query("SELECT * FROM smarttag_job WHERE job_id = 'fit-fail'").get(0);
            assertEquals(message, failed.get("message"));
            assertEquals(code, failed.get("code"));
            assertNull(failed.get("event_time"), "a year PostgreSQL cannot hold is stored as no EventTime");
            Map<String, Object> tagged = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", jobId).get(0);
            assertEquals(mediaId, tagged.get("media_id"));
            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ? AND category = ?", jobId, category));
            assertTrue(Files.exists(hub.home().resolve("archive").resolve((String) tagged.get("archive_key"))));
            assertEquals("done", hub.deliveryState("fit-other", "archive"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aFailureInsideTheDatabaseTransactionIsCountedAndParks(String database) throws Exception {
        try (RunningHub hub = hub(database)
                .property("hub.retry.max-attempts", "3")
                .property("hub.retry.initial-delay-ms", "200")
                .property("hub.retry.multiplier", "1.0")
                .property("hub.sweep.interval-ms", "200")
                .start();
             LogCapture log = new LogCapture()) {
            // the database refuses one tag value: a failure the accept step cannot foresee
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_tag ADD CONSTRAINT test_no_poison CHECK (tag <> 'poison')");
            }
            byte[] event = Samples.successWithData("poisoned-rows", "{\"Keyword\":[{\"Tag\":\"fine\"},{\"Tag\":\"poison\"}]}");
            assertEquals(200, hub.post(event).statusCode());

            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'poisoned-rows' AND state = 'parked'"),
                    "parked after hub.retry.max-attempts");
            Map<String, Object> inbox = hub.query("SELECT * FROM smarttag_inbox WHERE job_id = 'poisoned-rows'").get(0);
            assertEquals(3, ((Number) inbox.get("attempts")).intValue());
            assertTrue(String.valueOf(inbox.get("last_error")).startsWith("database: "), String.valueOf(inbox.get("last_error")));
            assertEquals("parked", hub.deliveryState("poisoned-rows", "database"));
            assertEquals("done", hub.deliveryState("poisoned-rows", "archive"), "the other destinations went ahead");
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id = 'poisoned-rows'"), "no half-written job");
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'poisoned-rows'"));

            List<String> lines = log.lines();
            long warnings = lines.stream().filter(l -> l.contains(" WARN ") && l.contains("poisoned-rows")).count();
            long parked = lines.stream().filter(l -> l.contains(" ERROR ") && l.contains("poisoned-rows") && l.contains("PARKED")).count();
            long stackLines = lines.stream().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by")).count();
            assertEquals(2, warnings, "one WARN per retried attempt: " + lines);
            assertEquals(1, parked, "one ERROR when it parks: " + lines);
            assertEquals(0, stackLines, "no stack traces: " + lines);
        }
    }
}
