package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.model.Message;
import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with the MNS source on and the default 30 s long poll: the hub (as its own process)
 * exits within the drain time plus a few seconds instead of waiting out the long polls, and a
 * message received but not handed to the route is left in the queue, never deleted or lost.
 */
class MnsGracefulShutdownTest {

    private static final String AK = "mns-test-ak";
    private static final String SECRET = "mns-test-secret";
    private static final long DRAIN_MS = 1000;
    /** What "a few seconds" after the drain may take: Camel's own stop, the database, the JVM exit. */
    private static final long SLACK_MS = 5000;
    private static final Pattern JOB_ID = Pattern.compile("\"JobId\"\\s*:\\s*\"([^\"]+)\"");
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

    private static Map<String, String> props(String queue) {
        Map<String, String> props = new HashMap<>();
        props.put("hub.mns.queue", queue);
        props.put("hub.mns.account-endpoint", server.endpoint());
        props.put("hub.mns.region", "cn-shanghai");
        props.put("hub.mns.access-key-id", AK);
        props.put("hub.mns.access-key-secret", SECRET);
        props.put("hub.mns.wait-seconds", "30");
        props.put("hub.mns.failure-visibility-seconds", "1");
        props.put("hub.shutdown.drain-ms", String.valueOf(DRAIN_MS));
        return props;
    }

    @Test
    void sigtermWhileIdlePollingExitsWithinTheDrainTime() throws Exception {
        Path home = Files.createTempDirectory("mns-sigterm-idle");
        HubProcess hub = HubProcess.start(home, props("vod-sigterm-idle"));
        try {
            awaitLongPolls(2);
            Thread.sleep(1000);
            long signalled = System.nanoTime();
            hub.terminate(Duration.ofSeconds(60));
            long stoppedMs = (System.nanoTime() - signalled) / 1_000_000;
            System.out.printf("MNS SIGTERM while idle-polling (wait-seconds 30, drain %d ms): exited in %d ms%n",
                    DRAIN_MS, stoppedMs);
            assertTrue(stoppedMs < DRAIN_MS + SLACK_MS, "exited in " + stoppedMs + " ms, see " + hub.log());
        } finally {
            hub.close();
        }
    }

    @Test
    void sigtermUnderLoadLosesNoMessageAndDeletesOnlyStoredOnes() throws Exception {
        String queue = "vod-sigterm-load";
        int total = 400;
        Path home = Files.createTempDirectory("mns-sigterm-load");
        HubProcess hub = HubProcess.start(home, props(queue));
        // SIGTERM while messages still arrive and the hub is busy with them
        Thread sender = new Thread(() -> send(queue, total));
        sender.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (server.deletedBodies().size() < total / 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long signalled = System.nanoTime();
        hub.terminate(Duration.ofSeconds(60));
        long stoppedMs = (System.nanoTime() - signalled) / 1_000_000;
        sender.join();
        Files.move(hub.log(), home.resolve("hub-stopped.log"));
        Set<String> deletedAtStop = jobIds(server.deletedBodies());
        int leftAtStop = server.size(queue);

        // The next start takes the rest; every message is then stored exactly once.
        try (HubProcess restarted = HubProcess.start(home, props(queue))) {
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (server.size(queue) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            restarted.terminate(Duration.ofSeconds(60));
        }
        List<String> inbox = inboxJobIds(home);
        Set<String> stored = new HashSet<>(inbox);
        Set<String> lost = new HashSet<>(deletedAtStop);
        lost.removeAll(stored);
        System.out.printf("MNS SIGTERM under load: %d sent, %d deleted before the stop, %d left in the queue; stopped in %d ms; "
                + "after restart %d inbox rows (%d distinct), %d left in the queue, %d deleted but not stored%n",
                total, deletedAtStop.size(), leftAtStop, stoppedMs, inbox.size(), stored.size(), server.size(queue), lost.size());
        assertTrue(deletedAtStop.size() < total, "stopped while messages were still queued");
        assertEquals(Set.of(), lost, "every deleted message has its inbox row");
        assertEquals(total, stored.size(), "every message is stored");
        assertEquals(total, inbox.size(), "none twice");
        assertEquals(0, server.size(queue));
        assertTrue(stoppedMs < DRAIN_MS + SLACK_MS, "stopped in " + stoppedMs + " ms");
    }

    private static void send(String queue, int total) {
        CloudQueue q = sdk.getQueueRef(queue);
        for (int batch = 0; batch < total / 10; batch++) {
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Message message = new Message();
                message.setMessageBodyAsRawString(Samples.text(Samples.with(Samples.seed(), "JobId", queue + "-" + (batch * 10 + i))));
                messages.add(message);
            }
            q.batchPutMessage(messages);
        }
    }

    private static void awaitLongPolls(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.waitingReceives() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(server.waitingReceives() >= expected, "the hub is long-polling");
    }

    static Set<String> jobIds(List<String> bodies) {
        Set<String> ids = new HashSet<>();
        for (String body : bodies) {
            Matcher m = JOB_ID.matcher(body);
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    /** The inbox of a stopped hub, read from its H2 file (H2 allows one process at a time). */
    static List<String> inboxJobIds(Path home) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("db/smarttag")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;IFEXISTS=TRUE", "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT job_id FROM smarttag_inbox WHERE source = 'mns'")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
