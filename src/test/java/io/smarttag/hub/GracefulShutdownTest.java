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

/**
 * SIGTERM under load: the hub stops accepting (503 or a closed port, never a 5xx other than 503),
 * finishes what is in flight, exits, and every event that got a 200 is processed.
 */
class GracefulShutdownTest {

    @Test
    void sigtermUnderLoadLosesNoAcceptedEvent() throws Exception {
        String url = TestServers.newPostgresDatabase();
        Map<String, String> props = Map.of("hub.db.url", url, "hub.db.user", "postgres", "hub.db.password", "postgres",
                "hub.process.lease-ms", "3000", "hub.sweep.interval-ms", "500");
        Path home = Files.createTempDirectory("graceful");
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger counter = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Set<Integer> otherCodes = ConcurrentHashMap.newKeySet();

        HubProcess hub = HubProcess.start(home.resolve("first"), props);
        ExecutorService senders = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            senders.submit(() -> {
                while (!stop.get()) {
                    String jobId = "graceful-" + counter.incrementAndGet();
                    try {
                        int status = hub.post(Samples.with(Samples.seed(), "JobId", jobId)).statusCode();
                        if (status == 200) {
                            accepted.add(jobId);
                        } else if (status == 503) {
                            unavailable.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                            otherCodes.add(status);
                        }
                    } catch (Exception closed) {
                        refused.incrementAndGet();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
        }
        Thread.sleep(1500);
        long signalled = System.nanoTime();
        hub.terminate(Duration.ofSeconds(60));
        long stoppedMs = (System.nanoTime() - signalled) / 1_000_000;
        stop.set(true);
        senders.shutdown();
        senders.awaitTermination(30, TimeUnit.SECONDS);
        System.out.printf("SIGTERM under load: %d accepted (200), %d answered 503, %d refused after stop, %d other; stopped in %d ms%n",
                accepted.size(), unavailable.get(), refused.get(), other.get(), stoppedMs);
        assertEquals(0, other.get(), "only 200 or 503 while stopping, got " + otherCodes + ", see " + home);
        assertTrue(accepted.size() > 0);

        // Every accepted event is in the inbox; whatever was still queued is finished by the next start.
        assertEquals(accepted.size(), count(url, "SELECT COUNT(*) FROM smarttag_inbox"));
        try (HubProcess restarted = HubProcess.start(home.resolve("second"), props)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (count(url, "SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        assertEquals(accepted.size(), count(url, "SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'graceful-%'"));
        assertEquals(accepted.size() * 44L, count(url, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'graceful-%'"));
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
