package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hub process killed with SIGKILL under load, then restarted: every event that got a 200 is fully processed. */
class CrashRecoveryTest {

    @Test
    void sigkillUnderLoadLosesNoAcceptedEvent() throws Exception {
        String url = TestServers.newPostgresDatabase();
        Map<String, String> props = Map.of("hub.db.url", url, "hub.db.user", "postgres", "hub.db.password", "postgres",
                "hub.process.lease-ms", "3000", "hub.sweep.interval-ms", "500", "hub.sweep.grace-ms", "1000");
        Path home = Files.createTempDirectory("crash");
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger counter = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();

        HubProcess hub = HubProcess.start(home.resolve("before"), props);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            senders.submit(() -> {
                while (!stop.get()) {
                    String jobId = "crash-" + counter.incrementAndGet();
                    try {
                        if (hub.post(Samples.with(Samples.seed(), "JobId", jobId)).statusCode() == 200) {
                            accepted.add(jobId);
                        }
                    } catch (Exception killed) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        Thread.sleep(3000);
        hub.kill();
        Thread.sleep(200);
        stop.set(true);
        senders.shutdown();
        senders.awaitTermination(30, TimeUnit.SECONDS);
        long doneAtKill = count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'");
        long pendingAtKill = count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'");
        assertTrue(accepted.size() > 0);
        long inInbox = count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id IN ('" + String.join("','", accepted) + "')");
        assertEquals(accepted.size(), inInbox, "every 200 was in the inbox before it was answered");
        long stored = count(url, "SELECT COUNT(*) FROM smarttag_inbox");

        try (HubProcess restarted = HubProcess.start(home.resolve("after"), props)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        long jobs = count(url, "SELECT COUNT(*) FROM smarttag_job");
        long rows = count(url, "SELECT COUNT(*) FROM smarttag_tag");
        long acceptedJobs = count(url, "SELECT COUNT(*) FROM smarttag_job WHERE job_id IN ('" + String.join("','", accepted) + "')");
        System.out.printf("SIGKILL under load: %d accepted (200), %d requests cut off by the kill (%d of them stored anyway); "
                + "at the kill %d done and %d not yet; after restart %d jobs, %d tag rows%n",
                accepted.size(), failed.get(), stored - accepted.size(), doneAtKill, pendingAtKill, jobs, rows);
        assertEquals(accepted.size(), acceptedJobs, "every event that got a 200 is processed");
        assertEquals(stored, jobs, "and so is every event stored before the kill");
        assertEquals(stored * 44L, rows);
        assertEquals(0, count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'"));
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
