package io.smarttag.hub.bench;

import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The benchmark of issue 5 (docs/benchmarks.md): mvn -B -ntp -Pbench verify.
 * Starts PostgreSQL, S3Proxy and the MNS test server here, the hub as its own process, then runs
 * the baselines (raw JDBC, naive Camel route) and the hub's phases on the same database, and
 * writes target/benchmarks/results.json, docs/benchmarks.json and docs/benchmarks.md.
 * A main class rather than a JUnit test, so `mvn verify` never runs it.
 */
public final class HubBenchmark {

    static final String AUTH_KEY = "BenchKey123abc";

    private final BenchConfig config = new BenchConfig();
    /** Prefix of every JobId of this run, so reruns on an external database never collide. */
    private final String run = "b" + Long.toString(System.currentTimeMillis(), 36);
    private final Map<String, Object> phases = new LinkedHashMap<>();
    private Db db;
    private int postgresPort = -1;
    private HubUnderTest hub;
    private String signedUrl;

    public static void main(String[] args) throws Exception {
        int exit = 0;
        try {
            new HubBenchmark().run();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        }
        System.exit(exit); // S3Proxy, embedded PostgreSQL and the SDK leave non-daemon threads behind
    }

    @SuppressWarnings("unchecked")
    private void run() throws Exception {
        long runStart = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("generated_at", Instant.now().toString());
        results.put("label", config.label);
        results.put("command", BenchReport.command());
        results.put("parameters", config.asMap());
        results.put("machine", Machine.describe());
        log("machine: " + results.get("machine"));

        Events seed = Events.seed();
        Events large = Events.large(config.largeTags, config.largeTimes);
        Map<String, String> hubProps = servers();
        BackfillPhase.hubProperties(hubProps);
        // The large event is well below the hub's 1 MiB body limit; raise it only if it ever is not.
        long bodyLimit = 1_048_576;
        if (large.size > bodyLimit) {
            hubProps.put("hub.http.max-body-bytes", String.valueOf(large.size * 2L));
        }
        Map<String, Object> events = new LinkedHashMap<>();
        events.put("seed_bytes", seed.size);
        events.put("seed_tag_rows", seed.tagRows);
        events.put("large_bytes", large.size);
        events.put("large_tag_rows", large.tagRows);
        events.put("hub_max_body_bytes", hubProps.getOrDefault("hub.http.max-body-bytes", bodyLimit + " (default, unchanged)"));
        results.put("events", events);

        List<String> jvmArgs = config.hubJvmArgs.isEmpty() ? List.of() : Arrays.asList(config.hubJvmArgs.split("\\s+"));
        Map<String, String> fileHubProps = new LinkedHashMap<>(hubProps);
        try (MnsTestServer mns = new MnsTestServer(MnsPhase.ACCESS_KEY_ID, MnsPhase.ACCESS_KEY_SECRET)) {
            mns.setVisibilityTimeoutMs(60_000);
            hubProps.putAll(MnsPhase.hubProperties(mns));
            String launch = String.join(" ", HubUnderTest.launch()).replace(System.getProperty("java.class.path"), "<test class path>");
            events.put("hub_launch", "java " + (jvmArgs.isEmpty() ? "" : String.join(" ", jvmArgs) + " ") + launch);
            log("starting the hub: " + events.get("hub_launch"));
            hub = HubUnderTest.start(Path.of("target/benchmarks/hub-" + run), hubProps, jvmArgs);
            try (HttpLoadClient first = new HttpLoadClient(hub.callbackUri, signedUrl, AUTH_KEY)) {
                int status = first.post(seed.withJobId(run + "-first"));
                if (status != 200) {
                    throw new IllegalStateException("first callback answered " + status + ": " + first.lastBody());
                }
                hub.firstAcceptDone();
            }
            hub.startSampling();
            Map<String, Object> startup = new LinkedHashMap<>();
            startup.put("process_start_to_health_up_ms", Db.round(hub.readyMs));
            startup.put("process_start_to_first_200_ms", Db.round(hub.firstAcceptMs));
            results.put("startup", startup);
            log("hub ready after " + startup);

            try {
                baselines(seed, large);
                hubPhases(seed, large);
                log("MNS: " + config.mnsMessages + " seed messages through the queue");
                phases.put("hub_mns_seed", measureCpu(() -> MnsPhase.run(mns, db, hub, seed, run + "-mns-", config.mnsMessages)));
                hub.checkAlive("the MNS phase");
                Map<String, Object> mnsCpu = (Map<String, Object>) ((Map<String, Object>) phases.get("hub_mns_seed")).get("cpu");
                mnsCpu.put("hub_cpu_ms_per_event", Db.round(1000 * (Double) mnsCpu.get("hub_cpu_s") / Math.max(1, config.mnsMessages)));
                log("  " + phases.get("hub_mns_seed"));
                results.put("hub_memory", hub.memoryReport());
                backfillFromS3(hubProps.get("hub.archive.bucket"));
            } finally {
                hub.close();
            }
        }
        backfillFromFiles(fileHubProps, jvmArgs);
        results.put("phases", phases);
        results.put("total_runtime_s", Db.round((System.nanoTime() - runStart) / 1e9));
        BenchReport report = new BenchReport(results, config);
        report.write(Path.of("target/benchmarks/results.json"), Path.of("docs/benchmarks.json"), Path.of("docs/benchmarks.md"));
        System.out.println(report.summary());
    }

    /** Issue 19: archived seed events in the hub's S3 bucket backfilled into the database destination. */
    private void backfillFromS3(String bucket) throws Exception {
        int n = config.backfillEvents;
        String prefix = run + "-bfs3-";
        log("backfill: seeding " + n + " archived seed events in S3 (S3Proxy)");
        BackfillPhase.toS3(bucket, BackfillPhase.seed(prefix, n));
        log("backfill: " + n + " archived events from S3 into the database destination");
        phases.put("hub_backfill_s3", measureCpu(() -> BackfillPhase.run(hub.managementPort, db, prefix, n)));
        log("  hub_backfill_s3: " + phases.get("hub_backfill_s3"));
    }

    /** The same from the file archive: a hub of its own whose archive destination has no bucket. */
    private void backfillFromFiles(Map<String, String> hubProps, List<String> jvmArgs) throws Exception {
        int n = config.backfillEvents;
        String prefix = run + "-bffile-";
        Path home = Path.of("target/benchmarks/hub-" + run + "-file").toAbsolutePath();
        Map<String, String> props = new LinkedHashMap<>(hubProps);
        props.remove("hub.archive.bucket");
        props.put("hub.archive.dir", home.resolve("archive").toString());
        props.put("hub.http.port", String.valueOf(TestServers.freePort()));
        props.put("hub.management.port", String.valueOf(TestServers.freePort()));
        log("backfill: seeding " + n + " archived seed events in the file archive " + home.resolve("archive"));
        BackfillPhase.toFiles(home.resolve("archive"), BackfillPhase.seed(prefix, n));
        hub = HubUnderTest.start(home, props, jvmArgs);
        try {
            log("backfill: " + n + " archived events from the file archive into the database destination");
            phases.put("hub_backfill_file", measureCpu(() -> BackfillPhase.run(hub.managementPort, db, prefix, n)));
            log("  hub_backfill_file: " + phases.get("hub_backfill_file"));
        } finally {
            hub.close();
        }
    }

    /** PostgreSQL (embedded unless bench.jdbc.url), S3Proxy with a fresh bucket; the hub's settings. */
    private Map<String, String> servers() throws Exception {
        if (config.jdbcUrl.isEmpty()) {
            log("starting embedded PostgreSQL");
            db = new Db(TestServers.newPostgresDatabase(), "postgres", "postgres");
            postgresPort = TestServers.postgres().getPort();
        } else {
            db = new Db(config.jdbcUrl, config.jdbcUser, config.jdbcPassword);
        }
        Map<String, String> p = new LinkedHashMap<>();
        int httpPort = TestServers.freePort();
        signedUrl = "http://127.0.0.1:" + httpPort + "/callbacks/vod";
        p.put("hub.http.port", String.valueOf(httpPort));
        p.put("hub.http.path", "/callbacks/vod");
        p.put("hub.management.port", String.valueOf(TestServers.freePort()));
        p.put("hub.callback.url", signedUrl);
        p.put("hub.callback.auth-key", AUTH_KEY);
        p.put("hub.db.url", db.url);
        p.put("hub.db.user", db.user);
        p.put("hub.db.password", db.password);
        log("starting S3Proxy");
        p.put("hub.archive.bucket", TestServers.newBucket());
        p.put("hub.archive.s3.endpoint", TestServers.s3Endpoint());
        p.put("hub.archive.s3.access-key", TestServers.S3_ACCESS_KEY);
        p.put("hub.archive.s3.secret-key", TestServers.S3_SECRET_KEY);
        Path home = Path.of("target/benchmarks/hub-" + run).toAbsolutePath();
        p.put("hub.alert.outbox-dir", home.resolve("outbox").toString());
        p.put("hub.archive.dir", home.resolve("archive").toString());
        p.put("hub.quarantine.dir", home.resolve("quarantine").toString());
        p.put("hub.spool.dir", home.resolve("spool").toString());
        return p;
    }

    private void baselines(Events seed, Events large) throws Exception {
        long seconds = config.baselineSeconds * 1000L;
        int n = config.concurrency;
        log("baseline: raw JDBC single-insert commits (accept-path limit)");
        load("raw_single_insert", () -> LoadDriver.closedLoop(n, seconds, Long.MAX_VALUE,
                RawJdbcBaseline.singleInsert(db, run + "-rawacc-", seed.withJobId("raw"))), null, 0);
        log("baseline: raw JDBC job row + 44 tag rows, one batch and transaction per event");
        load("raw_seed_rows", () -> LoadDriver.closedLoop(n, seconds, Long.MAX_VALUE,
                RawJdbcBaseline.jobWithTags(db, run + "-raw44-", seed.withJobId("raw"))), null, seed.tagRows);
        int k = config.rawBatchEvents;
        log("baseline: raw JDBC job rows + 44 tag rows of " + k + " events, batched, one transaction per " + k + " events");
        load("raw_seed_rows_batched", () -> LoadDriver.closedLoop(n, seconds, Long.MAX_VALUE,
                RawJdbcBaseline.jobsWithTagsBatched(db, run + "-raw44b-", seed.withJobId("raw"), k)), null, seed.tagRows, k);
        log("baseline: raw JDBC large event (" + large.tagRows + " rows)");
        load("raw_large_rows", () -> LoadDriver.closedLoop(n, seconds, config.largeEvents,
                RawJdbcBaseline.jobWithTags(db, run + "-rawlarge-", large.withJobId("raw"))), null, large.tagRows);
        try (NaiveCamelBaseline naive = new NaiveCamelBaseline(db, n)) {
            log("baseline: naive Camel route (warm-up " + config.warmupSeconds + " s)");
            LoadDriver.closedLoop(n, config.warmupSeconds * 1000L, Long.MAX_VALUE, naive.route(run + "-naivewarm-", seed));
            load("naive_camel_seed", () -> LoadDriver.closedLoop(n, seconds, Long.MAX_VALUE,
                    naive.route(run + "-naive-", seed)), null, seed.tagRows);
            // one large event per thread: 10,000 single-row commits each take long enough
            log("baseline: naive Camel route, large event, one per thread");
            load("naive_camel_large", () -> LoadDriver.closedLoop(n, seconds, n,
                    naive.route(run + "-naivelarge-", large)), null, large.tagRows);
        }
    }

    private void hubPhases(Events seed, Events large) throws Exception {
        int n = config.concurrency;
        long duration = config.durationSeconds * 1000L;
        log("hub warm-up: " + config.warmupSeconds + " s closed loop (not reported)");
        LoadDriver.Result warm = LoadDriver.closedLoop(n, config.warmupSeconds * 1000L, config.maxEvents, http(seed, run + "-warm-"));
        db.awaitSettled(run + "-warm-", warm.ok(), 600, hub);

        log("hub: seed events, closed loop (max rate), " + n + " connections");
        Map<String, Object> max = load("hub_seed_max", () -> LoadDriver.closedLoop(n, duration, config.maxEvents,
                http(seed, run + "-max-")), run + "-max-", seed.tagRows);
        double acceptRate = (Double) max.get("per_s");
        @SuppressWarnings("unchecked")
        double e2eRate = (Double) ((Map<String, Object>) max.get("end_to_end")).get("events_per_s");

        log("hub: seed events, open loop at half the max accept rate (" + Db.round(acceptRate / 2) + "/s)");
        load("hub_seed_half_accept_rate", () -> LoadDriver.openLoop(n, acceptRate / 2, duration, config.maxEvents,
                http(seed, run + "-halfacc-")), run + "-halfacc-", seed.tagRows).put("offered_per_s", Db.round(acceptRate / 2));

        log("hub: seed events, open loop at half the max end-to-end rate (" + Db.round(e2eRate / 2) + "/s)");
        load("hub_seed_half_e2e_rate", () -> LoadDriver.openLoop(n, e2eRate / 2, duration, config.maxEvents,
                http(seed, run + "-halfe2e-")), run + "-halfe2e-", seed.tagRows).put("offered_per_s", Db.round(e2eRate / 2));

        log("hub: large events (" + large.tagRows + " rows, " + large.size + " bytes), closed loop, " + config.largeEvents + " events");
        load("hub_large_max", () -> LoadDriver.closedLoop(n, 10 * duration, config.largeEvents,
                http(large, run + "-large-")), run + "-large-", large.tagRows);
    }

    /** Signed callbacks of the given event, a new JobId per request; anything but 200 "accepted" is an error. */
    private LoadDriver.OpFactory http(Events events, String jobPrefix) {
        return () -> {
            HttpLoadClient client = new HttpLoadClient(hub.callbackUri, signedUrl, AUTH_KEY);
            return new LoadDriver.Op() {
                @Override
                public void call(long seq) throws Exception {
                    int status = client.post(events.withJobId(jobPrefix + seq));
                    if (status != 200 || !client.lastBody().contains("\"accepted\"")) {
                        throw new IllegalStateException("HTTP " + status + " " + client.lastBody());
                    }
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        };
    }

    /**
     * Runs one load phase and records it: rate, latency, CPU of hub / PostgreSQL / load threads;
     * for hub phases (jobPrefix set) then waits until all its events are done and adds the
     * end-to-end numbers from the database.
     */
    private Map<String, Object> load(String name, Callable<LoadDriver.Result> phase, String jobPrefix, int rowsPerEvent)
            throws Exception {
        return load(name, phase, jobPrefix, rowsPerEvent, 1);
    }

    /**
     * As above, for a phase whose operation handles eventsPerOp events (one transaction of several):
     * ok, per_s and tag_rows_per_s count events; the latencies are of whole operations.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> load(String name, Callable<LoadDriver.Result> phase, String jobPrefix, int rowsPerEvent,
            int eventsPerOp) throws Exception {
        Map<String, Object> m = measureCpu(() -> {
            LoadDriver.Result r = phase.call();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", config.concurrency);
            out.put("ok", r.ok() * eventsPerOp);
            out.put("errors", r.errors());
            if (r.firstError() != null) {
                out.put("first_error", r.firstError());
            }
            out.put("seconds", Db.round(r.seconds()));
            out.put("per_s", Db.round(r.perSecond() * eventsPerOp));
            if (eventsPerOp > 1) {
                out.put("events_per_transaction", eventsPerOp);
                out.put("transactions_per_s", Db.round(r.perSecond()));
            }
            if (rowsPerEvent > 0) {
                out.put("tag_rows_per_s", Db.round(r.perSecond() * eventsPerOp * rowsPerEvent));
            }
            out.put("p50_ms", Db.round(r.latencies().percentileMs(50)));
            out.put("p99_ms", Db.round(r.latencies().percentileMs(99)));
            out.put("max_ms", Db.round(r.latencies().maxMs()));
            out.put("load_threads_cpu_s", Db.round(r.loadCpuSeconds()));
            return out;
        });
        hub.checkAlive(name);
        if (jobPrefix != null) {
            long ok = (Long) m.get("ok");
            Map<String, Object> cpu = (Map<String, Object>) m.get("cpu");
            cpu.put("hub_cpu_ms_per_event", Db.round(1000 * (Double) cpu.get("hub_cpu_s") / Math.max(1, ok)));
            double drain = db.awaitSettled(jobPrefix, ok, 900, hub);
            m.put("drain_after_load_s", Db.round(drain));
            Map<String, Object> e2e = db.endToEnd(jobPrefix);
            e2e.put("expected_tag_rows", ok * rowsPerEvent);
            m.put("end_to_end", e2e);
        }
        phases.put(name, m);
        log("  " + name + ": " + m);
        return m;
    }

    /** CPU seconds used during the call by the hub process, PostgreSQL, and the whole machine. */
    private Map<String, Object> measureCpu(Callable<Map<String, Object>> body) throws Exception {
        double hub0 = hub.cpuSeconds();
        double pg0 = postgresPort > 0 ? Machine.postgresCpuSeconds(postgresPort) : -1;
        long[] m0 = Machine.cpuJiffies();
        long t0 = System.nanoTime();
        Map<String, Object> out = body.call();
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] m1 = Machine.cpuJiffies();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("wall_s", Db.round(wall));
        cpu.put("hub_cpu_s", Db.round(hub.cpuSeconds() - hub0));
        if (pg0 >= 0) {
            cpu.put("postgres_cpu_s", Db.round(Machine.postgresCpuSeconds(postgresPort) - pg0));
        }
        cpu.put("machine_busy_pct", Db.round(100.0 * (m1[0] - m0[0]) / Math.max(1, m1[1] - m0[1])));
        out.put("cpu", cpu);
        return out;
    }

    static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
