package io.smarttag.hub.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.EventValidator;
import io.smarttag.hub.event.InvalidEventException;
import io.smarttag.hub.event.VodEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The "same work" baseline (issue 21): a plain Java program, no Camel, that does per event exactly
 * the durable work the hub promises, and nothing else. Run as its own process by the benchmark with
 * the hub's JVM options, so its CPU is measured the same way (/proc/<pid>/stat).
 *
 * <ul>
 * <li>Accept: JDK HttpServer (com.sun.net.httpserver, 16 handler threads); the callback signature
 * checked (md5hex(url|timestamp|key)); the body validated by the hub's own EventValidator; the inbox
 * row (the hub's columns, in smarttag_inbox) inserted with group commit (what queued while the last
 * commit ran goes into the next transaction, up to 64 rows); 200 {"status":"accepted"} after the
 * commit. The parsed event is handed to processing in memory.</li>
 * <li>Processing (8 workers, like hub.process.workers): the raw event archived (a file written to a
 * temporary name and moved into place, or an S3 PutObject through the same AWS SDK client settings
 * as the hub's), then one transaction: the job row, the tag rows from the hub's EventRows as one
 * JDBC batch, and the inbox state done with its archive key.</li>
 * </ul>
 * Not done here and done by the hub (its other promises): per-destination delivery rows and retry
 * state, the job-row lock and replacement of earlier rows (idempotent replay), metrics, logs, alerts.
 * Its inbox rows are due in year 9999, so the hub's sweep, running against the same tables, never
 * takes them.
 *
 * <p>Admin (benchmark only): GET /admin/health, /admin/pause, /admin/resume (processing held back
 * and released), /admin/archive?mode=file|s3.
 */
public final class SameWorkBaseline {

    private static final String INSERT_INBOX = """
            INSERT INTO smarttag_inbox (id, dedup_key, event_type, job_id, media_id, status, source, body,
                                        received_at, state, attempts, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
            ON CONFLICT DO NOTHING""";
    private static final String INSERT_JOB = """
            INSERT INTO smarttag_job (job_id, media_id, status, code, message, event_time, received_at, processed_at, tag_count, archive_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING""";
    private static final String INSERT_TAG = """
            INSERT INTO smarttag_tag (job_id, media_id, category, tag, time_ms, face_url, item_index) VALUES (?, ?, ?, ?, ?, ?, ?)""";
    private static final String FINISH = """
            UPDATE smarttag_inbox SET state = 'done', done_at = ?, next_attempt_at = ?, lease_until = NULL, archive_key = ?
            WHERE id = ?""";
    private static final Timestamp NEVER = Timestamp.valueOf("9999-01-01 00:00:00");

    /** An accepted event on its way: committed to the inbox, then processed. */
    private record Accepted(String id, VodEvent event, byte[] raw, Timestamp receivedAt, CompletableFuture<Boolean> stored) {
    }

    private final HikariDataSource db;
    private final EventValidator validator = new EventValidator();
    private final EventRows rows = new EventRows();
    private final ArchiveKeys keys = new ArchiveKeys("vod-events");
    private final BlockingQueue<Accepted> toCommit = new LinkedBlockingQueue<>();
    private final BlockingQueue<Accepted> toProcess = new LinkedBlockingQueue<>();
    private final String signedUrl = System.getProperty("same.signed-url");
    private final String authKey = System.getProperty("same.auth-key");
    private final Path archiveDir = Path.of(System.getProperty("same.archive-dir"));
    private final String bucket = System.getProperty("same.s3.bucket");
    private final S3Client s3;
    private volatile boolean paused;
    private volatile boolean toS3;

    private SameWorkBaseline() {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(System.getProperty("same.db.url"));
        hikari.setUsername(System.getProperty("same.db.user"));
        hikari.setPassword(System.getProperty("same.db.password"));
        hikari.setMaximumPoolSize(10); // hub.db.pool-size
        db = new HikariDataSource(hikari);
        // the hub's S3Clients settings; the SDK's default (Apache) HTTP client, as in the hub
        s3 = S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMillis(10_000)))
                .endpointOverride(URI.create(System.getProperty("same.s3.endpoint")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        System.getProperty("same.s3.access-key"), System.getProperty("same.s3.secret-key"))))
                .build();
    }

    public static void main(String[] args) throws Exception {
        SameWorkBaseline baseline = new SameWorkBaseline();
        Thread committer = new Thread(baseline::commitLoop, "same-commit");
        committer.setDaemon(true);
        committer.start();
        for (int i = 0; i < 8; i++) {
            Thread worker = new Thread(baseline::processLoop, "same-worker-" + i);
            worker.setDaemon(true);
            worker.start();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("same.port")), 256);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/callbacks/vod", baseline::callback);
        server.createContext("/admin/", baseline::admin);
        server.start();
        Thread.currentThread().join();
    }

    private void callback(HttpExchange http) throws IOException {
        try (http) {
            byte[] body = http.getRequestBody().readAllBytes();
            String timestamp = http.getRequestHeaders().getFirst("X-VOD-TIMESTAMP");
            String signature = http.getRequestHeaders().getFirst("X-VOD-SIGNATURE");
            if (timestamp == null || signature == null || !signature.equals(HttpLoadClient.sign(
                    MessageDigest.getInstance("MD5"), signedUrl, Long.parseLong(timestamp), authKey))) {
                reply(http, 401, "{\"status\":\"unauthorized\"}");
                return;
            }
            VodEvent event;
            try {
                event = validator.validate(body);
            } catch (InvalidEventException e) {
                reply(http, 400, "{\"status\":\"invalid\"}");
                return;
            }
            Accepted accepted = new Accepted(UUID.randomUUID().toString(), event, body,
                    new Timestamp(System.currentTimeMillis()), new CompletableFuture<>());
            toCommit.add(accepted);
            boolean stored = accepted.stored().get(30, TimeUnit.SECONDS);
            if (stored) {
                toProcess.add(accepted);
            }
            reply(http, 200, stored ? "{\"status\":\"accepted\"}" : "{\"status\":\"duplicate\"}");
        } catch (Exception e) {
            reply(http, 503, "{\"status\":\"unavailable\"}");
        }
    }

    /** Group commit: every row that queued while the last commit ran goes into the next transaction. */
    private void commitLoop() {
        List<Accepted> batch = new ArrayList<>();
        while (true) {
            try {
                batch.clear();
                batch.add(toCommit.take());
                toCommit.drainTo(batch, 63);
                try (Connection c = db.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT_INBOX)) {
                    c.setAutoCommit(batch.size() == 1);
                    for (Accepted a : batch) {
                        VodEvent e = a.event();
                        insert.setString(1, a.id());
                        insert.setString(2, e.getEventType() + "|" + e.getJobId() + "|" + e.getStatus());
                        insert.setString(3, e.getEventType());
                        insert.setString(4, e.getJobId());
                        insert.setString(5, e.getMediaId());
                        insert.setString(6, e.getStatus());
                        insert.setString(7, "bench-same");
                        insert.setBytes(8, a.raw());
                        insert.setTimestamp(9, a.receivedAt());
                        insert.setTimestamp(10, NEVER);
                        insert.addBatch();
                    }
                    int[] counts = insert.executeBatch();
                    if (!c.getAutoCommit()) {
                        c.commit();
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).stored().complete(counts[i] != 0);
                    }
                } catch (SQLException e) {
                    batch.forEach(a -> a.stored().completeExceptionally(e));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void processLoop() {
        while (true) {
            try {
                if (paused) {
                    Thread.sleep(5);
                    continue;
                }
                Accepted a = toProcess.poll(100, TimeUnit.MILLISECONDS);
                if (a != null && paused) {
                    toProcess.add(a); // paused while this worker waited: held back like the rest
                } else if (a != null) {
                    process(a);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                e.printStackTrace(); // the benchmark waits for the event and reports it missing
            }
        }
    }

    private void process(Accepted a) throws Exception {
        VodEvent event = a.event();
        String key = keys.keyFor(event);
        if (toS3) {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/json").build(),
                    RequestBody.fromBytes(a.raw()));
        } else {
            Path target = archiveDir.resolve(key);
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(".tmp-" + target.getFileName());
            Files.write(temp, a.raw());
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        EventRows.Values parsed = "success".equals(event.getStatus()) ? rows.values(event) : null;
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement job = c.prepareStatement(INSERT_JOB); PreparedStatement tag = c.prepareStatement(INSERT_TAG);
                    PreparedStatement finish = c.prepareStatement(FINISH)) {
                Timestamp now = new Timestamp(System.currentTimeMillis());
                job.setString(1, event.getJobId());
                job.setString(2, event.getMediaId());
                job.setString(3, event.getStatus());
                job.setString(4, event.getCode());
                job.setString(5, event.getMessage());
                job.setObject(6, EventTimes.parseUtc(event.getEventTime()));
                job.setTimestamp(7, a.receivedAt());
                job.setTimestamp(8, now);
                job.setInt(9, parsed == null ? 0 : parsed.tagCount());
                job.setString(10, key);
                job.executeUpdate();
                if (parsed != null) {
                    parsed.tags(values -> {
                        for (int i = 0; i < values.length; i++) { // jobId first: tag-insert.sql's column order
                            tag.setObject(i + 1, values[i]);
                        }
                        tag.addBatch();
                    });
                    tag.executeBatch();
                }
                finish.setTimestamp(1, now);
                finish.setTimestamp(2, now);
                finish.setString(3, key);
                finish.setString(4, a.id());
                finish.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void admin(HttpExchange http) throws IOException {
        try (http) {
            String path = http.getRequestURI().getPath();
            switch (path) {
                case "/admin/pause" -> paused = true;
                case "/admin/resume" -> paused = false;
                case "/admin/archive" -> toS3 = "mode=s3".equals(http.getRequestURI().getQuery());
                case "/admin/health" -> { }
                default -> {
                    reply(http, 404, "{}");
                    return;
                }
            }
            reply(http, 200, "{\"paused\":" + paused + ",\"s3\":" + toS3 + "}");
        }
    }

    private static void reply(HttpExchange http, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        http.getResponseHeaders().set("Content-Type", "application/json");
        http.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(bytes);
        }
    }
}
