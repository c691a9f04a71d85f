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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The hub on its embedded default (H2 file database, as HubProcess starts it) consuming an MNS
 * queue, killed with SIGKILL right after it deleted messages, then restarted on the same data
 * folder: a message is deleted only once its event is committed, so every message the queue saw
 * deleted must have its inbox row after the restart.
 */
class MnsCrashRecoveryTest {

    private static final String AK = "mns-test-ak";
    private static final String SECRET = "mns-test-secret";

    @Test
    void sigkillRightAfterDeletesLosesNoDeletedMessage() throws Exception {
        String queue = "vod-crash";
        int total = 500;
        try (MnsTestServer server = new MnsTestServer(AK, SECRET)) {
            server.setVisibilityTimeoutMs(3000);
            MNSClient sdk = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                    .accessKeyId(AK).accessKeySecret(SECRET).build();
            Map<String, String> props = Map.of(
                    "hub.mns.queue", queue,
                    "hub.mns.account-endpoint", server.endpoint(),
                    "hub.mns.region", "cn-shanghai",
                    "hub.mns.access-key-id", AK,
                    "hub.mns.access-key-secret", SECRET,
                    "hub.mns.wait-seconds", "2",
                    // what the killed hub held comes back within seconds, not after its 60 s extension
                    "hub.mns.visibility-extension-seconds", "5",
                    "hub.mns.failure-visibility-seconds", "1");
            Path home = Files.createTempDirectory("mns-crash");

            HubProcess hub = HubProcess.start(home, props);
            // Messages arrive while the hub consumes them, and the kill comes while it is busy:
            // some messages were deleted just before it.
            Thread sender = new Thread(() -> {
                CloudQueue q = sdk.getQueueRef(queue);
                for (int batch = 0; batch < total / 10; batch++) {
                    List<Message> messages = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        Message message = new Message();
                        message.setMessageBodyAsRawString(Samples.text(Samples.with(Samples.seed(), "JobId", "mns-crash-" + (batch * 10 + i))));
                        messages.add(message);
                    }
                    q.batchPutMessage(messages);
                }
            });
            try {
                sender.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (server.deletedBodies().size() < total / 3 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                hub.kill();
                sender.join();
            } finally {
                hub.close();
                sdk.close();
            }
            Set<String> deleted = MnsGracefulShutdownTest.jobIds(server.deletedBodies());
            int leftAtKill = server.size(queue);

            try (HubProcess restarted = HubProcess.start(home, props)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (server.size(queue) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                restarted.terminate(Duration.ofSeconds(60));
            }
            List<String> inbox = MnsGracefulShutdownTest.inboxJobIds(home);
            Set<String> stored = new HashSet<>(inbox);
            Set<String> lost = new TreeSet<>(deleted);
            lost.removeAll(stored);
            System.out.printf("MNS SIGKILL on H2: %d sent, %d deleted before the kill, %d left in the queue; after restart "
                    + "%d inbox rows, %d messages left; %d deleted from the queue but not in the inbox (lost)%s%n",
                    total, deleted.size(), leftAtKill, inbox.size(), server.size(queue), lost.size(),
                    lost.isEmpty() ? "" : ", e.g. " + lost.stream().limit(5).toList());
            assertTrue(deleted.size() > 0 && deleted.size() < total, "killed while consuming: " + deleted.size() + " deleted");
            assertEquals(0, lost.size(), "deleted from the queue but not in the inbox: " + lost);
            assertEquals(total, stored.size(), "every message is in the inbox");
            assertEquals(total, inbox.size(), "none twice");
        }
    }
}
