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
 * finishes what is in flight, exits, and every event that got a 200 is processed. And the other
 * end: while the hub starts, callbacks get 503 too, never an answer that says the event is wrong.
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

    /**
     * A callback that comes while the hub starts (VOD does not know we restart) gets 503 with a JSON
     * reason, which VOD retries, from the moment the port accepts until the hub can take it. Before,
     * the port answered as soon as it listened: 404 before the callback route was registered, then a
     * bare "Bad Request" for a body sent as curl sends it (form content type: Vert.x decoded it as a
     * form before the handler that reads every callback body as JSON was in place), and a body it
     * decoded as an empty form was rejected and quarantined as "empty body".
     */
    @Test
    void callbacksDuringTheStartGet503UntilTheHubTakesThem() throws Exception {
        Path home = Files.createTempDirectory("starting");
        int port = TestServers.freePort();
        byte[] seed = Samples.with(Samples.seed(), "JobId", "during-start");
        java.util.List<String> before = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean accepted = new AtomicBoolean();
        ExecutorService poster = Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> posting = poster.submit(() -> {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!accepted.get() && System.nanoTime() < deadline) {
                try {
                    java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                                    java.net.URI.create("http://127.0.0.1:" + port + "/callbacks/vod"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(seed)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        accepted.set(true);
                    } else {
                        before.add(response.statusCode() + " " + response.body());
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
            }
            return null;
        });
        try (HubProcess hub = HubProcess.start(home, Map.of("hub.http.port", String.valueOf(port)))) {
            posting.get(60, TimeUnit.SECONDS);
            assertTrue(accepted.get(), "accepted once started");
            assertTrue(!before.isEmpty(), "the port was reached before the hub had started (else this test proves nothing)");
            for (String answer : before) {
                assertTrue(answer.startsWith("503 {\"error\":\"starting\""), "while starting: " + answer + " (all: " + before + ")");
            }
            assertTrue(!Files.readString(hub.log()).contains("rejected http event"), "nothing was rejected or quarantined");
        } finally {
            poster.shutdownNow();
        }
    }
}
