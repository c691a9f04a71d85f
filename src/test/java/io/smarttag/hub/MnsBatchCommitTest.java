package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.model.Message;
import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The messages of one MNS receive go through accept together (hub.mns.batch-concurrency): 16
 * messages taken by one batch receive are written to the inbox in fewer transactions than
 * messages (group commit), each once, and deleted with one batch delete.
 */
class MnsBatchCommitTest {

    private static final String AK = "mns-test-ak";
    private static final String SECRET = "mns-test-secret";
    private static final int MESSAGES = 16;
    private static MnsTestServer server;
    private static MNSClient sdk;

    @BeforeAll
    static void start() throws Exception {
        server = new MnsTestServer(AK, SECRET);
        sdk = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                .accessKeyId(AK).accessKeySecret(SECRET).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void messagesOfOneReceiveShareInboxCommitsAndOneBatchDelete(String database) throws Exception {
        String queue = "vod-batch-" + database;
        // all 16 are in the queue before the hub starts: its first batch receive takes them together
        CloudQueue sending = sdk.getQueueRef(queue);
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            Message message = new Message();
            message.setMessageBodyAsRawString(Samples.text(Samples.with(Samples.seed(), "JobId", "mns-batch-" + database + "-" + i)));
            messages.add(message);
        }
        sending.batchPutMessage(messages);
        assertEquals(MESSAGES, server.size(queue));
        int deletesBefore = server.deleteRequests();

        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        // one polling thread, so one receive holds all 16; a window the shared test machine cannot
        // miss (with the messages one after another, every commit holds one row whatever the window)
        try (RunningHub hub = builder
                .property("hub.mns.queue", queue)
                .property("hub.mns.account-endpoint", server.endpoint())
                .property("hub.mns.region", "cn-shanghai")
                .property("hub.mns.access-key-id", AK)
                .property("hub.mns.access-key-secret", SECRET)
                .property("hub.mns.wait-seconds", "1")
                .property("hub.mns.concurrent-consumers", "1")
                .property("hub.mns.max-messages-per-poll", "16")
                .property("hub.mns.batch-concurrency", "16")
                .property("hub.accept.batch-window-ms", "20")
                .start()) {
            String jobs = "SELECT COUNT(*) FROM smarttag_inbox WHERE source = 'mns' AND job_id LIKE 'mns-batch-" + database + "-%'";
            assertEquals(MESSAGES, hub.awaitCount(MESSAGES, Duration.ofSeconds(30), jobs));
            assertEquals(0, awaitQueueSize(queue, 0), "all accepted messages are deleted");
            for (int i = 0; i < MESSAGES; i++) {
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ?", "mns-batch-" + database + "-" + i));
            }

            String metrics = hub.management("/observe/metrics").body();
            double commits = MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "committed");
            double rows = MetricsTest.value(metrics, "smarttag_accept_batch_size_sum", "outcome", "committed");
            double largest = MetricsTest.value(metrics, "smarttag_accept_batch_size_max", "outcome", "committed");
            int deletes = server.deleteRequests() - deletesBefore;
            System.out.printf("MNS batch (%s): %d messages of one receive in %.0f inbox commits (largest %.0f), %d delete request(s)%n",
                    database, MESSAGES, commits, largest, deletes);
            assertEquals(MESSAGES, rows, "every message went through one committed batch");
            assertTrue(commits < MESSAGES, "fewer inbox transactions than messages: " + commits);
            assertEquals(0, MetricsTest.value(metrics, "smarttag_accept_batches_total", "outcome", "failed"));
            assertEquals(1, deletes, "deleted with one batch delete");

            hub.awaitInboxSettled(Duration.ofSeconds(60));
            assertEquals(MESSAGES, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'mns-batch-" + database + "-%'"));
        }
    }

    private static int awaitQueueSize(String queue, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.size(queue) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return server.size(queue);
    }
}
