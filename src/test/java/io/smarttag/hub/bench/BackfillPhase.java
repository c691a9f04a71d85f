package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.ArchiveSeed;
import io.smarttag.hub.testsupport.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backfill phase (issue 19): bench.backfill-events archived seed events (44 tag rows each) in
 * the archive (S3 through S3Proxy, or the file archive), backfilled into the database destination
 * with POST /observe/backfill, hub.backfill.max-rate 0 (no pacing) and hub.backfill.workers from
 * the hub's settings. Measured from the request to the backfill's state done; events/s is compared
 * with raw_seed_rows_batched of the same run (ratio hub_backfill_*_vs_raw_seed_rows_batched).
 */
final class BackfillPhase {

    static final String TOKEN = "bench-backfill-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BackfillPhase() {
    }

    /** The hub settings a backfill phase needs (a token for the endpoint, no pacing). */
    static void hubProperties(Map<String, String> properties, BenchConfig config) {
        properties.put("hub.management.token", TOKEN);
        properties.put("hub.backfill.max-rate", "0");
        properties.put("hub.backfill.workers", String.valueOf(config.backfillWorkers));
        properties.put("hub.backfill.checkpoint-every", String.valueOf(config.backfillChunk));
        properties.put("hub.backfill.poll-ms", "200");
        if (!config.backfillBatchMax.isEmpty()) {
            properties.put("hub.database.batch-max", config.backfillBatchMax);
        }
    }

    /** Seeds n events of one year (2001, far from the other phases' EventTimes) under a job prefix. */
    static Map<String, byte[]> seed(String jobPrefix, int n) {
        return seed(jobPrefix, n, 2001);
    }

    /** n events over the first 20 days of the year. */
    static Map<String, byte[]> seed(String jobPrefix, int n, int year) {
        return ArchiveSeed.events(jobPrefix, n, LocalDate.of(year, 1, 1), 20, 0, "vod-events");
    }

    static void toS3(String bucket, Map<String, byte[]> events) throws Exception {
        try (S3Client s3 = TestServers.s3Client()) {
            ArchiveSeed.toS3(s3, bucket, events);
        }
    }

    /**
     * The S3 read limit of this machine (raw_s3_get): every archived object read once with the AWS
     * SDK (the hub's client settings: path style, checksums only where required) by `threads`
     * threads of the benchmark JVM, no database and no Camel. S3Proxy serves them from the same
     * JVM, on the same cores, as it does for hub_backfill_s3.
     */
    static Map<String, Object> rawGets(String bucket, List<String> keys, int threads) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        try (S3Client s3 = TestServers.s3Client()) {
            long t0 = System.nanoTime();
            List<java.util.concurrent.Future<?>> gets = new java.util.ArrayList<>();
            for (String key : keys) {
                gets.add(pool.submit(() -> bytes.addAndGet(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray().length)));
            }
            for (java.util.concurrent.Future<?> get : gets) {
                get.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", keys.size()); // a failed GET throws: the phase fails
            m.put("errors", 0);
            m.put("threads", threads);
            m.put("bytes", bytes.get());
            m.put("seconds", Db.round(seconds));
            m.put("per_s", Db.round(keys.size() / seconds));
            return m;
        } finally {
            pool.shutdown();
        }
    }

    static void toFiles(Path dir, Map<String, byte[]> events) throws Exception {
        ArchiveSeed.toFiles(dir, events);
    }

    /** Starts a backfill of the database destination over the given days; returns its id. */
    static String start(int managementPort, String from, String to) throws Exception {
        HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/backfill"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"destination\":\"database\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 201) {
            throw new IllegalStateException("backfill refused: " + started.statusCode() + " " + started.body());
        }
        return JSON.readTree(started.body()).path("id").asText();
    }

    /** The backfill's state as GET /observe/backfill/<id> gives it. */
    static JsonNode state(int managementPort, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/backfill/" + id))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** POST /observe/backfill/<id>/<action> (pause, resume, cancel). */
    static void act(int managementPort, String id, String action) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/backfill/" + id + "/" + action))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(action + " refused: " + r.statusCode() + " " + r.body());
        }
    }

    /** Starts the backfill of the database destination for 2001 and waits until it is done. */
    static Map<String, Object> run(int managementPort, Db db, String jobPrefix, int n) throws Exception {
        String base = "http://127.0.0.1:" + managementPort + "/observe/backfill";
        long t0 = System.nanoTime();
        HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(URI.create(base))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"destination\":\"database\",\"from\":\"2001-01-01\",\"to\":\"2001-01-20\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 201) {
            throw new IllegalStateException("backfill refused: " + started.statusCode() + " " + started.body());
        }
        String id = JSON.readTree(started.body()).path("id").asText();
        JsonNode state;
        while (true) {
            Thread.sleep(200);
            state = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/" + id))
                    .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            if (!"running".equals(state.path("state").asText())) {
                break;
            }
            if (System.nanoTime() - t0 > 1800L * 1_000_000_000L) {
                throw new IllegalStateException("backfill not done in 30 min: " + state);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", n);
        m.put("state", state.path("state").asText());
        m.put("listed", state.path("listed").asLong());
        m.put("delivered", state.path("delivered").asLong());
        m.put("parked", state.path("parked").asLong());
        m.put("seconds", Db.round(seconds));
        m.put("events_per_s", Db.round(state.path("delivered").asLong() / seconds));
        m.put("jobs_written", db.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE ?", jobPrefix + "%"));
        m.put("tag_rows_written", db.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE ?", jobPrefix + "%"));
        m.put("tag_rows_per_s", Db.round(((Number) m.get("tag_rows_written")).longValue() / seconds));
        return m;
    }
}
