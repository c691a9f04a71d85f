package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.tools.Replay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A destination that keeps failing: the other destinations are delivered, the event is parked
 * (not dropped) with its last error, ops get one notice, and a replay delivers it exactly once.
 */
class ParkingAndReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void failingArchiveParksTheEventAndAReplayDeliversItOnce() throws Exception {
        String bucket = "not-created-yet-" + System.nanoTime();
        try (RunningHub hub = RunningHub.builder().onPostgres().withS3()
                .property("hub.archive.bucket", bucket)
                .property("hub.retry.initial-delay-ms", "200")
                .property("hub.retry.max-delay-ms", "400")
                .property("hub.retry.max-attempts", "3")
                .property("hub.management.token", "replay-token-81")
                .start()) {
            byte[] event = Samples.with(Samples.seed(), "JobId", "park-1");
            assertEquals(200, hub.post(event).statusCode());

            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'park-1' AND state = 'parked'"),
                    () -> "inbox: " + rows(hub));
            Map<String, Object> parked = hub.query("SELECT * FROM smarttag_inbox WHERE job_id = 'park-1'").get(0);
            assertEquals(3, ((Number) parked.get("attempts")).intValue());
            assertEquals("done", hub.deliveryState("park-1", "database"), "the database destination is not held back by the archive");
            assertEquals("parked", hub.deliveryState("park-1", "archive"));
            assertTrue(String.valueOf(parked.get("last_error")).contains("archive"), String.valueOf(parked.get("last_error")));
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'park-1'"));
            System.out.printf("parked after %s attempts, last error: %s%n", parked.get("attempts"), parked.get("last_error"));

            List<Path> notices = outbox(hub);
            for (int i = 0; i < 100 && notices.isEmpty(); i++) {
                Thread.sleep(100); // the notice is written right after the state changes
                notices = outbox(hub);
            }
            assertEquals(1, notices.size(), "one parked notice");
            try (var in = Files.newInputStream(notices.get(0))) {
                var notice = new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()), in);
                assertEquals("[smarttag] event parked: job park-1 for archive after 3 attempts", notice.getSubject());
            }

            // Ops fix the destination, then replay.
            try (S3Client s3 = TestServers.s3Client()) {
                s3.createBucket(b -> b.bucket(bucket));
            }
            // ... with the documented HTTP call on the management port, which wants the token
            assertEquals(401, hub.managementPost("/observe/replay?job=park-1").statusCode());
            assertEquals(401, hub.managementPost("/observe/replay?job=park-1", "Authorization", "Bearer wrong").statusCode());
            assertEquals(400, hub.managementPost("/observe/replay", "Authorization", "Bearer replay-token-81").statusCode());
            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'park-1' AND state = 'parked'"),
                    "refused calls change nothing");
            var replay = hub.managementPost("/observe/replay?job=park-1", "Authorization", "Bearer replay-token-81");
            assertEquals(200, replay.statusCode());
            assertEquals("{\"replayed\":1}", replay.body());
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'park-1' AND state = 'done'"));
            String key = (String) hub.query("SELECT archive_key FROM smarttag_inbox WHERE job_id = 'park-1'").get(0).get("archive_key");
            try (S3Client s3 = TestServers.s3Client()) {
                assertArrayEquals(event, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
                assertEquals(1, s3.listObjectsV2(b -> b.bucket(bucket)).contents().size());
            }
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'park-1'"), "replay never duplicates rows");
            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id = 'park-1'"));
            assertEquals(0, Replay.replay(hub.dataSource(), null), "nothing left parked");

            // The Replay command, run as ops run it (its own JVM, HUB_* environment), on an event
            // parked again after all its destinations were done: delivered again, nothing twice.
            try (var c = hub.dataSource().getConnection(); var st = c.createStatement()) {
                st.executeUpdate("UPDATE smarttag_inbox SET state = 'parked' WHERE job_id = 'park-1'");
            }
            Map<String, String> env = Map.of("hub.db.url", hub.property("hub.db.url"),
                    "hub.db.user", hub.property("hub.db.user"), "hub.db.password", hub.property("hub.db.password"));
            String[] command = HubProcess.runTool(Replay.class, env, "--job", "park-1");
            assertEquals("0", command[0], command[1]);
            assertTrue(command[1].contains("replayed 1 parked event(s)"), command[1]);
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'park-1' AND state = 'done'"));
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'park-1'"));
            try (S3Client s3 = TestServers.s3Client()) {
                assertEquals(1, s3.listObjectsV2(b -> b.bucket(bucket)).contents().size());
            }
        }
    }

    private static String rows(RunningHub hub) {
        try {
            return hub.query("SELECT state, attempts, next_attempt_at, lease_until, last_error FROM smarttag_inbox").toString()
                    + hub.query("SELECT * FROM smarttag_delivery").toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static List<Path> outbox(RunningHub hub) throws Exception {
        Path outbox = hub.home().resolve("outbox");
        if (!Files.isDirectory(outbox)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(outbox)) {
            return files.filter(p -> p.toString().endsWith(".eml")).toList();
        }
    }
}
