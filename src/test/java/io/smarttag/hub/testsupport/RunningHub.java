package io.smarttag.hub.testsupport;

import io.smarttag.hub.HubMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The whole hub, started in this JVM exactly as {@link HubMain} starts it (application.properties
 * and the YAML routes from the working directory), with test properties layered on top as
 * override properties. By default it runs on the embedded parts in a temporary folder; use
 * {@link #onPostgres()}, {@link #withS3()} and {@link #withSmtp()} to switch destinations the
 * way ops would, by configuration only.
 */
public final class RunningHub implements AutoCloseable {

    private final Main main;
    private final Path home;
    private final int httpPort;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningHub(Main main, Path home, int httpPort, int managementPort) {
        this.main = main;
        this.home = home;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Path home;

        private Builder() {
            try {
                home = Files.createTempDirectory("smarttag-hub-test");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            String h2 = home.resolve("db/smarttag").toString();
            properties.put("hub.db.url", "jdbc:h2:file:" + h2
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000");
            properties.put("hub.archive.dir", home.resolve("archive").toString());
            properties.put("hub.alert.outbox-dir", home.resolve("outbox").toString());
            properties.put("hub.quarantine.dir", home.resolve("quarantine").toString());
            properties.put("hub.spool.dir", home.resolve("spool").toString());
            properties.put("hub.sweep.interval-ms", "500");
            properties.put("hub.shutdown-timeout-seconds", "10");
        }

        public Builder onPostgres() {
            properties.put("hub.db.url", TestServers.newPostgresDatabase());
            properties.put("hub.db.user", "postgres");
            properties.put("hub.db.password", "postgres");
            return this;
        }

        public Builder withS3() {
            properties.put("hub.archive.bucket", TestServers.newBucket());
            properties.put("hub.archive.s3.endpoint", TestServers.s3Endpoint());
            properties.put("hub.archive.s3.access-key", TestServers.S3_ACCESS_KEY);
            properties.put("hub.archive.s3.secret-key", TestServers.S3_SECRET_KEY);
            properties.put("hub.archive.s3.timeout-ms", "3000");
            return this;
        }

        public Builder withSmtp() {
            properties.put("hub.alert.smtp.host", "127.0.0.1");
            properties.put("hub.alert.smtp.port", String.valueOf(TestServers.smtp().getSmtp().getPort()));
            properties.put("hub.alert.to", "ops@example.com");
            properties.put("hub.alert.from", "hub@example.com");
            properties.put("hub.alert.smtp.timeout-ms", "3000");
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public String property(String key) {
            return properties.get(key);
        }

        public RunningHub start() throws Exception {
            int httpPort = TestServers.freePort();
            int managementPort = TestServers.freePort();
            properties.putIfAbsent("hub.http.port", String.valueOf(httpPort));
            properties.putIfAbsent("hub.management.port", String.valueOf(managementPort));
            Main main = new Main();
            HubMain.configure(main);
            properties.forEach(main::addOverrideProperty);
            main.start();
            RunningHub hub = new RunningHub(main, home,
                    Integer.parseInt(properties.get("hub.http.port")),
                    Integer.parseInt(properties.get("hub.management.port")));
            hub.awaitReady();
            return hub;
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!context().isStarted()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("hub did not start");
            }
            Thread.sleep(20);
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Path home() {
        return home;
    }

    public String property(String key) {
        return context().getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    public DataSource dataSource() {
        return context().getRegistry().lookupByNameAndType("hubDataSource", DataSource.class);
    }

    public URI callbackUri() {
        return URI.create("http://127.0.0.1:" + httpPort + property("hub.http.path"));
    }

    public HttpResponse<String> post(byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(callbackUri())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        boolean contentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            contentType |= "Content-Type".equalsIgnoreCase(headers[i]);
        }
        if (!contentType) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String body, String... headers) throws Exception {
        return post(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    public HttpResponse<String> management(String path) throws Exception {
        return management(path, new String[0]);
    }

    /** A GET to the management port with headers, e.g. "Authorization", "Bearer <token>". */
    public HttpResponse<String> management(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST with an empty body to the management port, e.g. /observe/replay?job=... */
    public HttpResponse<String> managementPost(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public List<Map<String, Object>> query(String sql, Object... args) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        row.put(meta.getColumnLabel(col).toLowerCase(), rs.getObject(col));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    public long count(String sql, Object... args) throws Exception {
        return ((Number) query(sql, args).get(0).values().iterator().next()).longValue();
    }

    /** Waits until the count query returns the expected value; returns the last value seen. */
    public long awaitCount(long expected, Duration timeout, String sql, Object... args) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = countOrMinusOne(sql, args);
        while (seen != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = countOrMinusOne(sql, args);
        }
        return seen;
    }

    /** -1 while the database cannot answer yet (down, or its schema not migrated yet). */
    private long countOrMinusOne(String sql, Object... args) throws Exception {
        try {
            return count(sql, args);
        } catch (java.sql.SQLException notYet) {
            return -1;
        }
    }

    /** SQL counting the events of a job whose delivery to a destination is in a state: parameters job id, destination, state. */
    public static final String DELIVERIES = "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
            + " WHERE i.job_id = ? AND d.destination = ? AND d.state = ?";

    /** The state of a job's delivery to a destination (pending, done, parked), or null if never tried. */
    public String deliveryState(String jobId, String destination) throws Exception {
        List<Map<String, Object>> rows = query("SELECT d.state FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                + " WHERE i.job_id = ? AND d.destination = ?", jobId, destination);
        return rows.isEmpty() ? null : (String) rows.get(0).get("state");
    }

    /** Deliveries to a destination in a state, over all events. */
    public long deliveries(String destination, String state) throws Exception {
        return count("SELECT COUNT(*) FROM smarttag_delivery WHERE destination = ? AND state = ?", destination, state);
    }

    /** Waits until every accepted event has left the inbox's pending/processing states. */
    public void awaitInboxSettled(Duration timeout) throws Exception {
        awaitCount(0, timeout, "SELECT COUNT(*) FROM smarttag_inbox WHERE state IN ('pending', 'processing')");
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
