package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.inbox.EventIds;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GET /observe/events?job=<JobId> (contract 3): a job's events with source, receipt time, state,
 * archive key and each destination's state, attempts, last error and time done; a parked delivery
 * shows its error; a test event (JobId smarttag-check-...) says so; an unknown job is an empty list;
 * without or with a wrong token 401. After retention deleted the events the answer says they are
 * past retention and gives the archive key. On H2 and PostgreSQL.
 */
class EventStatusTest {

    private static final String TOKEN = "event-status-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aJobsEventsWithTheirDeliveriesAndAfterRetentionTheArchiveKey(String database) throws Exception {
        RunningHub.Builder builder = RunningHub.builder();
        if (database.equals("postgresql")) {
            builder.onPostgres();
        }
        try (RunningHub hub = builder.property("hub.management.token", TOKEN)
                .property("hub.retry.initial-delay-ms", "100").property("hub.retry.max-delay-ms", "200")
                .property("hub.retry.max-attempts", "2")
                .property("hub.inbox.retention-days", "30").property("hub.inbox.retention-interval-ms", "300")
                .start()) {
            byte[] seed = Samples.with(Samples.seed(), "JobId", "status-1");
            assertEquals(200, hub.post(seed).statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "smarttag-check-1")).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'status-1' AND state = 'done'"));
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'smarttag-check-1' AND state = 'done'"));
            execute(hub, "ALTER TABLE smarttag_tag ADD CONSTRAINT status_no_petal CHECK (job_id NOT LIKE '%parked')");
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "status-parked")).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'status-parked' AND state = 'parked'"));

            // the token is required
            assertEquals(401, hub.management("/observe/events?job=status-1").statusCode());
            assertEquals(401, hub.management("/observe/events?job=status-1", "Authorization", "Bearer wrong").statusCode());

            JsonNode done = events(hub, "status-1");
            assertEquals("status-1", done.path("job").asText());
            assertFalse(done.path("pastRetention").asBoolean());
            assertTrue(done.path("archiveHint").isNull());
            assertEquals(1, done.path("events").size());
            JsonNode event = done.path("events").path(0);
            String key = new ArchiveKeys("vod-events").keyFor(JSON.readValue(seed, io.smarttag.hub.event.VodEvent.class));
            assertEquals(EventIds.of("AIVideoTagComplete", "status-1", "success"), event.path("inboxId").asText());
            assertEquals("http", event.path("source").asText());
            assertFalse(event.path("receivedAt").asText().isEmpty());
            assertEquals("AIVideoTagComplete", event.path("eventType").asText());
            assertEquals("success", event.path("status").asText());
            assertEquals("done", event.path("state").asText());
            assertFalse(event.path("test").asBoolean());
            assertEquals(key, event.path("archive").asText());
            assertTrue(Files.exists(Path.of(hub.property("hub.archive.dir")).resolve(key)), "the archive key names the archived file");
            JsonNode database1 = destination(event, "database");
            assertEquals("done", database1.path("state").asText());
            assertEquals(1, database1.path("attempts").asInt());
            assertTrue(database1.path("lastError").isNull());
            assertFalse(database1.path("doneAt").asText().isEmpty());
            assertEquals("done", destination(event, "archive").path("state").asText());

            assertTrue(events(hub, "smarttag-check-1").path("events").path(0).path("test").asBoolean(), "a test event says so");

            JsonNode parked = events(hub, "status-parked").path("events").path(0);
            assertEquals("parked", parked.path("state").asText());
            JsonNode parkedDatabase = destination(parked, "database");
            assertEquals("parked", parkedDatabase.path("state").asText());
            assertEquals(2, parkedDatabase.path("attempts").asInt());
            assertTrue(parkedDatabase.path("lastError").asText().toLowerCase().contains("status_no_petal"), parkedDatabase.toString());
            assertTrue(parkedDatabase.path("doneAt").isNull());

            JsonNode unknown = events(hub, "no-such-job");
            assertEquals(0, unknown.path("events").size());
            assertFalse(unknown.path("pastRetention").asBoolean());

            // 40 days later: retention deletes the done event; the job row still says where it is archived
            execute(hub, "UPDATE smarttag_inbox SET done_at = done_at - INTERVAL '40' DAY WHERE job_id = 'status-1'");
            assertEquals(0, hub.awaitCount(0, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'status-1'"));
            JsonNode past = events(hub, "status-1");
            assertEquals(0, past.path("events").size());
            assertTrue(past.path("pastRetention").asBoolean());
            assertEquals(key, past.path("archiveHint").asText());
        }
    }

    private static JsonNode destination(JsonNode event, String name) {
        for (JsonNode d : event.path("destinations")) {
            if (d.path("name").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no destination " + name + " in " + event);
    }

    private static JsonNode events(RunningHub hub, String job) throws Exception {
        HttpResponse<String> response = hub.management("/observe/events?job=" + job, "Authorization", "Bearer " + TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    static void execute(RunningHub hub, String sql) throws Exception {
        try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
