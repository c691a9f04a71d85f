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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
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
        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        // on H2 the blocked insert below waits up to LOCK_TIMEOUT: ample time for the batch
        builder.property("hub.db.url", builder.property("hub.db.url").replace("LOCK_TIMEOUT=10000", "LOCK_TIMEOUT=60000"));
        // one polling thread, so one receive holds all 16
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
                // the first message waits (blocked below), so every batch's leader waits its window out:
                // a wide window lets the others arrive on a loaded machine too (a 20 ms window made 11
                // commits of 16 on a 2-core CI box whose threads woke slowly)
                .property("hub.accept.batch-window-ms", "500")
                .start();
                Connection blocker = hub.dataSource().getConnection()) {
            // The first message's insert waits for the test's uncommitted copy of its row, so it stays
            // inside accept while the others arrive: whatever the machine's load, they find company
            // and are grouped (a caller alone in accept commits at once, by design).
            String first = "mns-batch-" + database + "-0";
            blocker.setAutoCommit(false);
            try (PreparedStatement insert = blocker.prepareStatement("INSERT INTO smarttag_inbox (id, dedup_key, event_type,"
                    + " job_id, media_id, status, source, body, received_at, state, attempts, next_attempt_at)"
                    + " VALUES ('blocker', ?, 'AIVideoTagComplete', ?, 'm', 'success', 'test', ?, ?, 'done', 0, ?)")) {
                insert.setString(1, "AIVideoTagComplete|" + first + "|success");
                insert.setString(2, first);
                insert.setBytes(3, Samples.seed());
                insert.setObject(4, OffsetDateTime.now());
                insert.setObject(5, OffsetDateTime.now());
                insert.executeUpdate();
            }
            int deletesBefore = server.deleteRequests();
            // all 16 in one atomic put: the consumer's waiting batch receive takes them together
            CloudQueue sending = sdk.getQueueRef(queue);
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                Message message = new Message();
                message.setMessageBodyAsRawString(Samples.text(Samples.with(Samples.seed(), "JobId", "mns-batch-" + database + "-" + i)));
                messages.add(message);
            }
            sending.batchPutMessage(messages);
            GroupCommitTest.awaitBlockedInsert(hub, database);
            String jobs = "SELECT COUNT(*) FROM smarttag_inbox WHERE source = 'mns' AND job_id LIKE 'mns-batch-" + database + "-%'";
            // the others are in (or wait in the first one's batch): once nothing moves for 3 s, let it go
            // (1 s was too short on a loaded CI box: 8 of the 16 had not started yet, and each committed
            // alone after the release)
            long stored = -1;
            for (long now = hub.count(jobs); now != stored; now = hub.count(jobs)) {
                stored = now;
                Thread.sleep(3000);
            }
            blocker.rollback();

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
            assertTrue(commits <= MESSAGES / 2, "fewer inbox transactions than messages: " + commits);
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
