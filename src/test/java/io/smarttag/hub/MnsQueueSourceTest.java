package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.model.Message;
import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VOD events from an MNS queue, end to end: sent with the official SDK to the MNS-protocol test
 * server, consumed by the hub's mns: component, into PostgreSQL like HTTP callbacks.
 */
class MnsQueueSourceTest {

    private static final String AK = "mns-test-ak";
    private static final String SECRET = "mns-test-secret";
    private static MnsTestServer server;
    private static MNSClient sdk;

    @BeforeAll
    static void start() throws Exception {
        server = new MnsTestServer(AK, SECRET);
        server.setVisibilityTimeoutMs(3000);
        sdk = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                .accessKeyId(AK).accessKeySecret(SECRET).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        server.close();
    }

    private static RunningHub.Builder hubOn(String queue) {
        return RunningHub.builder().onPostgres()
                .property("hub.mns.queue", queue)
                .property("hub.mns.account-endpoint", server.endpoint())
                .property("hub.mns.region", "cn-shanghai")
                .property("hub.mns.access-key-id", AK)
                .property("hub.mns.access-key-secret", SECRET)
                .property("hub.mns.wait-seconds", "1")
                .property("hub.mns.failure-visibility-seconds", "1")
                .property("hub.mns.backoff-initial-ms", "200")
                .property("hub.mns.backoff-max-ms", "1000")
                .property("hub.db.connect-timeout-ms", "1000");
    }

    private static void sendRaw(String queue, byte[] event) {
        Message message = new Message();
        message.setMessageBodyAsRawString(Samples.text(event));
        sdk.getQueueRef(queue).putMessage(message);
    }

    @Test
    void rawAndBase64MessagesBecomeTagRowsAndAreDeleted() throws Exception {
        try (RunningHub hub = hubOn("vod-basic").start()) {
            sendRaw("vod-basic", Samples.with(Samples.seed(), "JobId", "mns-raw"));
            Message base64 = new Message();
            base64.setMessageBody(Samples.text(Samples.with(Samples.seed(), "JobId", "mns-base64")));
            sdk.getQueueRef("vod-basic").putMessage(base64);

            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'mns-raw'"));
            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'mns-base64'"));
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE source = 'mns'"));
            assertEquals(0, awaitQueueSize("vod-basic", 0), "accepted messages are deleted");
        }
    }

    @Test
    void databaseDownLeavesTheMessageInTheQueueUntilItIsAccepted() throws Exception {
        RunningHub.Builder builder = hubOn("vod-db-down").property("hub.mns.max-dequeue-count", "0");
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        try (RunningHub hub = builder.start()) {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
            sendRaw("vod-db-down", Samples.with(Samples.seed(), "JobId", "mns-db-down"));
            Thread.sleep(5000);
            assertEquals(1, server.size("vod-db-down"), "not deleted while it could not be stored");
            assertTrue(server.dequeueCountOfOnlyMessage("vod-db-down") >= 2, "redelivered after each visibility timeout");

            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(30), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'mns-db-down'"));
            assertEquals(0, awaitQueueSize("vod-db-down", 0));
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    @Test
    void poisonAndUnreadableMessagesAreQuarantinedAndDeleted() throws Exception {
        RunningHub.Builder builder = hubOn("vod-poison").property("hub.mns.max-dequeue-count", "3");
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        try (RunningHub hub = builder.start()) {
            Message garbage = new Message();
            garbage.setMessageBodyAsRawString("this is not an event");
            sdk.getQueueRef("vod-poison").putMessage(garbage);
            assertEquals(1, hub.awaitCount(1, Duration.ofSeconds(20),
                    "SELECT COUNT(*) FROM smarttag_quarantine WHERE source = 'mns' AND reason LIKE 'unreadable%'"));
            assertEquals(0, awaitQueueSize("vod-poison", 0));

            // A message that keeps failing (its database is gone) is set aside after 3 deliveries.
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
            sendRaw("vod-poison", Samples.with(Samples.seed(), "JobId", "mns-poison"));
            assertEquals(0, awaitQueueSize("vod-poison", 0), "gone from the queue after maxDequeueCount");
            Path quarantine = hub.home().resolve("quarantine");
            List<Path> reasons;
            try (Stream<Path> files = Files.list(quarantine)) {
                reasons = files.filter(p -> p.toString().endsWith(".reason.txt")).toList();
            }
            assertEquals(1, reasons.size());
            assertTrue(Files.readString(reasons.get(0)).startsWith("poison message: dequeued 3 times"), Files.readString(reasons.get(0)));
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    @Test
    void unreadableMessageGetsTheSameRejectionWarningAsOtherRejectionsOnce() throws Exception {
        String queue = "vod-unreadable-log";
        Path home = Files.createTempDirectory("mns-unreadable");
        try (HubProcess hub = HubProcess.start(home, Map.of("hub.mns.queue", queue,
                "hub.mns.account-endpoint", server.endpoint(), "hub.mns.region", "cn-shanghai",
                "hub.mns.access-key-id", AK, "hub.mns.access-key-secret", SECRET, "hub.mns.wait-seconds", "1"))) {
            Message garbage = new Message();
            garbage.setMessageBodyAsRawString("neither JSON nor Base64 of it");
            sdk.getQueueRef(queue).putMessage(garbage);
            assertEquals(0, awaitQueueSize(queue, 0), "quarantined and deleted");
            String line = ".* WARN .* rejected mns event \\(quarantined\\): unreadable MNS message .*";
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (matchingLines(hub.log(), line) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(1000);
            long lines = matchingLines(hub.log(), line);
            System.out.printf("unreadable MNS message: %d rejection WARN line(s)%n", lines);
            assertEquals(1, lines, "one WARN line like every other rejection, see " + hub.log());
        }
    }

    private static long matchingLines(Path log, String regex) throws Exception {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.matches(regex)).count();
        }
    }

    @Test
    void thousandMessagesWithFourConsumersBecomeExactlyThousandJobs() throws Exception {
        try (RunningHub hub = hubOn("vod-load").property("hub.mns.concurrent-consumers", "4").start()) {
            CloudQueue queue = sdk.getQueueRef("vod-load");
            int total = 1000;
            for (int batch = 0; batch < total / 10; batch++) {
                List<Message> messages = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    Message message = new Message();
                    message.setMessageBodyAsRawString(Samples.text(Samples.with(Samples.seed(), "JobId", "mns-load-" + (batch * 10 + i))));
                    messages.add(message);
                }
                queue.batchPutMessage(messages);
            }
            long start = System.nanoTime();
            long jobs = hub.awaitCount(total, Duration.ofSeconds(120), "SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'mns-load-%'");
            long ms = (System.nanoTime() - start) / 1_000_000;
            hub.awaitInboxSettled(Duration.ofSeconds(30));
            long inbox = hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE source = 'mns'");
            long rows = hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'mns-load-%'");
            System.out.printf("MNS load: %d messages sent, %d jobs, %d inbox rows, %d tag rows, %d left in queue, %d ms%n",
                    total, jobs, inbox, rows, server.size("vod-load"), ms);
            assertEquals(total, jobs);
            assertEquals(total, inbox, "none twice");
            assertEquals(total * 44L, rows);
            assertEquals(0, awaitQueueSize("vod-load", 0));
        }
    }

    @Test
    void wrongSecretIsLoggedOnceAndBacksOffInsteadOfSpinning() throws Exception {
        try (RunningHub hub = hubOn("vod-auth").property("hub.mns.access-key-secret", "wrong-secret")
                .property("hub.mns.backoff-initial-ms", "500").property("hub.mns.backoff-max-ms", "2000").start()) {
            int before = server.rejectedSignatures();
            Thread.sleep(4000);
            int rejected = server.rejectedSignatures() - before;
            System.out.printf("wrong secret: %d signed requests rejected in 4 s%n", rejected);
            assertTrue(rejected >= 1 && rejected <= 20, "backs off: " + rejected + " requests in 4 s");
        }
    }

    @Test
    void mnsOutageBacksOffAndRecoversByItself() throws Exception {
        try (RunningHub hub = hubOn("vod-outage").start()) {
            server.setFailing(true);
            int before = server.requests();
            Thread.sleep(4000);
            int during = server.requests() - before;
            server.setFailing(false);
            sendRaw("vod-outage", Samples.with(Samples.seed(), "JobId", "mns-after-outage"));
            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'mns-after-outage'"));
            System.out.printf("MNS outage: %d requests in 4 s of 500 errors (SDK retries included), then recovered%n", during);
            assertTrue(during < 60, "backs off: " + during + " requests in 4 s");
        } finally {
            server.setFailing(false);
        }
    }

    private static int awaitQueueSize(String queue, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.size(queue) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return server.size(queue);
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestServers.postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
