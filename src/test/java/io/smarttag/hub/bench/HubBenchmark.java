package io.smarttag.hub.bench;

import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
    /** Accept alone and processing alone, per process and archive (acceptThenProcess). */
    private final Map<String, Object> cpuPerEvent = new LinkedHashMap<>();
    /** The live load of the backfill-interference phases: half the max end-to-end rate measured by hub_seed_max. */
    private double liveRate;
    private Db db;
    private int postgresPort = -1;
    private HubUnderTest hub;
    private String signedUrl;
    private long runStartNanos;

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
        runStartNanos = runStart;
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
        BackfillPhase.hubProperties(hubProps, config);
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

        List<String> jvmArgs = jvmArgs(config.hubJvmArgs);
        Map<String, String> fileHubProps = new LinkedHashMap<>(hubProps);
        try (MnsTestServer mns = new MnsTestServer(MnsPhase.ACCESS_KEY_ID, MnsPhase.ACCESS_KEY_SECRET)) {
            mns.setVisibilityTimeoutMs(60_000);
            hubProps.putAll(MnsPhase.hubProperties(mns));
            String launch = String.join(" ", HubUnderTest.launch()).replace(System.getProperty("java.class.path"), "<test class path>");
            events.put("hub_launch", "java " + (jvmArgs.isEmpty() ? "" : String.join(" ", jvmArgs) + " ") + launch);
            if (config.steadySeconds > 0) {
                steady(results, hubProps, seed);
                return;
            }
            if (!config.memoryJvmArgs.isBlank()) {
                memory(results, hubProps, seed, large);
                return;
            }
            Map<String, Object> startup = quietStarts(hubProps, jvmArgs);
            if (config.startsOnly) {
                results.put("startup", startup);
                BenchReport.writeJson(results, Path.of("target/benchmarks/starts.json"));
                return;
            }
            log("starting the hub: " + events.get("hub_launch"));
            hub = startHub(Path.of("target/benchmarks/hub-" + run), hubProps, jvmArgs);
            startup.put("process_start_to_health_up_ms", Db.round(hub.readyMs));
            startup.put("process_start_to_first_200_ms", Db.round(hub.firstAcceptMs));
            results.put("startup", startup);
            log("hub ready after " + startup);

            if (config.backfillOnly) {
                backfillOnly(results, hubProps, fileHubProps, jvmArgs, seed);
                return;
            }
            try {
                if (config.cpuOnly) {
                    log("bench.cpu-only: hub warm-up " + config.warmupSeconds + " s, then only the CPU-per-event phases");
                    warmUp(hub, signedUrl, seed, run + "-warm-", config.warmupSeconds);
                } else {
                    baselines(seed, large);
                    hubPhases(seed, large);
                }
                log("hub (S3 archive): accept alone, then processing alone");
                cpuPerEvent.put("hub_s3", acceptThenProcess(hub, signedUrl, seed, "hub-s3"));
                if (!config.cpuOnly) {
                    log("MNS: " + config.mnsMessages + " seed messages through the queue");
                    phases.put("hub_mns_seed", measureCpu(() -> MnsPhase.run(mns, db, hub, seed, run + "-mns-", config.mnsMessages)));
                    hub.checkAlive("the MNS phase");
                    Map<String, Object> mnsCpu = (Map<String, Object>) ((Map<String, Object>) phases.get("hub_mns_seed")).get("cpu");
                    mnsCpu.put("hub_cpu_ms_per_event", Db.round(1000 * (Double) mnsCpu.get("hub_cpu_s") / Math.max(1, config.mnsMessages)));
                    log("  " + phases.get("hub_mns_seed"));
                }
                results.put("hub_memory", hub.memoryReport());
                if (!config.cpuOnly) {
                    backfillFromS3(hubProps.get("hub.archive.bucket"));
                }
            } finally {
                hub.close();
            }

            // The same hub with the file archive (no bucket), its own ports and files.
            Map<String, String> fileProps = new LinkedHashMap<>(hubProps);
            fileProps.remove("hub.archive.bucket");
            String fileSignedUrl = freshPorts(fileProps);
            log("starting the hub with the file archive");
            try (HubUnderTest fileHub = startHub(Path.of("target/benchmarks/hub-" + run + "-file"), fileProps, jvmArgs)) {
                startup.put("file_archive_hub_start_to_health_up_ms", Db.round(fileHub.readyMs));
                log("file-archive hub warm-up: " + config.warmupSeconds + " s closed loop (not reported)");
                warmUp(fileHub, fileSignedUrl, seed, run + "-fwarm-", config.warmupSeconds);
                log("hub (file archive): accept alone, then processing alone");
                cpuPerEvent.put("hub_file", acceptThenProcess(fileHub, fileSignedUrl, seed, "hub-file"));
                results.put("file_archive_hub_memory", fileHub.memoryReport());
            }
        }
        if (!config.cpuOnly) {
            backfillFromFiles(fileHubProps, jvmArgs);
            liveDuringBackfill(fileHubProps, jvmArgs, seed);
        }
        sameWork(results, seed);
        results.put("phases", phases);
        results.put("cpu_per_event", cpuPerEvent);
        results.put("total_runtime_s", Db.round((System.nanoTime() - runStart) / 1e9));
        BenchReport report = new BenchReport(results, config);
        if (config.cpuOnly) { // a partial run: docs/ keeps the last full run
            report.write(Path.of("target/benchmarks/results.json"), Path.of("target/benchmarks/cpu-only.json"),
                    Path.of("target/benchmarks/cpu-only.md"));
        } else {
            report.write(Path.of("target/benchmarks/results.json"), Path.of("docs/benchmarks.json"), Path.of("docs/benchmarks.md"));
        }
        System.out.println(report.summary());
    }

    /** Issue 19: archived seed events in the hub's S3 bucket backfilled into the database destination. */
    private void backfillFromS3(String bucket) throws Exception {
        int n = config.backfillEvents;
        String prefix = run + "-bfs3-";
        log("backfill: seeding " + n + " archived seed events in S3 (S3Proxy)");
        Map<String, byte[]> archived = BackfillPhase.seed(prefix, n);
        BackfillPhase.toS3(bucket, archived);
        log("baseline: GET of the " + n + " archived objects from S3Proxy, " + config.backfillWorkers + " threads, no database");
        phases.put("raw_s3_get", measureCpu(() -> BackfillPhase.rawGets(bucket, List.copyOf(archived.keySet()), config.backfillWorkers)));
        log("  raw_s3_get: " + phases.get("raw_s3_get"));
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
            profile(hub, "start", "backfill-file");
            phases.put("hub_backfill_file", measureCpu(() -> BackfillPhase.run(hub.managementPort, db, prefix, n)));
            profile(hub, "stop", "backfill-file");
            log("  hub_backfill_file: " + phases.get("hub_backfill_file"));
        } finally {
            hub.close();
        }
    }

    /**
     * -Dbench.backfill-only=true: the raw batched baseline and the three backfill phases, nothing else
     * (target/benchmarks/backfill-only.md; docs/ keeps the last full run). The live load is
     * bench.paced-rate (no max-rate phase to take half of).
     */
    private void backfillOnly(Map<String, Object> results, Map<String, String> hubProps, Map<String, String> fileHubProps,
            List<String> jvmArgs, Events seed) throws Exception {
        try {
            int k = config.rawBatchEvents;
            log("baseline: raw JDBC job rows + 44 tag rows of " + k + " events, batched, one transaction per " + k + " events");
            load("raw_seed_rows_batched", () -> LoadDriver.closedLoop(config.concurrency, config.baselineSeconds * 1000L, Long.MAX_VALUE,
                    RawJdbcBaseline.jobsWithTagsBatched(db, run + "-raw44b-", seed.withJobId("raw"), k)), null, seed.tagRows, k);
            warmUp(hub, signedUrl, seed, run + "-warm-", config.warmupSeconds);
            profile(hub, "start", "backfill-s3");
            backfillFromS3(hubProps.get("hub.archive.bucket"));
            profile(hub, "stop", "backfill-s3");
        } finally {
            hub.close();
        }
        backfillFromFiles(fileHubProps, jvmArgs);
        liveDuringBackfill(fileHubProps, jvmArgs, seed);
        results.put("phases", phases);
        results.put("cpu_per_event", cpuPerEvent);
        BenchReport report = new BenchReport(results, config);
        report.write(Path.of("target/benchmarks/results.json"), Path.of("target/benchmarks/backfill-only.json"),
                Path.of("target/benchmarks/backfill-only.md"));
        System.out.println(report.summary());
    }

    /**
     * Issue 19, "live traffic first": a hub with the default backfill settings (hub.backfill.max-rate,
     * workers, checkpoint-every as application.properties has them) and the file archive. The same
     * open-loop live load (half the max end-to-end rate of hub_seed_max) runs twice, alone and while
     * a backfill of bench.backfill-events archived events runs; the end-to-end p99 of the two is
     * compared. The backfill is cancelled after the second phase.
     */
    private void liveDuringBackfill(Map<String, String> hubProps, List<String> jvmArgs, Events seed) throws Exception {
        int n = config.backfillEvents;
        String prefix = run + "-bflive-";
        Path home = Path.of("target/benchmarks/hub-" + run + "-bflive").toAbsolutePath();
        Map<String, String> props = new LinkedHashMap<>(hubProps);
        props.remove("hub.archive.bucket");
        props.remove("hub.backfill.max-rate");
        props.remove("hub.backfill.workers");
        props.remove("hub.backfill.checkpoint-every");
        props.put("hub.archive.dir", home.resolve("archive").toString());
        String url = freshPorts(props);
        log("live during backfill: seeding " + n + " archived seed events (2002) in " + home.resolve("archive"));
        BackfillPhase.toFiles(home.resolve("archive"), BackfillPhase.seed(prefix, n, 2002));
        double rate = liveRate > 0 ? liveRate : config.pacedRate;
        hub = startHub(home, props, jvmArgs);
        try {
            warmUp(hub, url, seed, run + "-bflwarm-", config.warmupSeconds);
            long duration = config.durationSeconds * 1000L;
            int c = config.concurrency;
            log("live alone: open loop at " + Db.round(rate) + "/s");
            load("hub_live_alone", () -> LoadDriver.openLoop(c, rate, duration, config.maxEvents,
                    http(hub, url, seed, run + "-lalone-")), run + "-lalone-", seed.tagRows).put("offered_per_s", Db.round(rate));
            String id = BackfillPhase.start(hub.managementPort, "2002-01-01", "2002-01-20");
            long t0 = System.nanoTime();
            while (BackfillPhase.state(hub.managementPort, id).path("delivered").asLong() == 0 && System.nanoTime() - t0 < 60_000_000_000L) {
                Thread.sleep(100);
            }
            long before = BackfillPhase.state(hub.managementPort, id).path("delivered").asLong();
            long b0 = System.nanoTime();
            log("live during a backfill at the default max-rate: open loop at " + Db.round(rate) + "/s");
            Map<String, Object> during = load("hub_live_during_backfill", () -> LoadDriver.openLoop(c, rate, duration, config.maxEvents,
                    http(hub, url, seed, run + "-lduring-")), run + "-lduring-", seed.tagRows);
            during.put("offered_per_s", Db.round(rate));
            com.fasterxml.jackson.databind.JsonNode state = BackfillPhase.state(hub.managementPort, id);
            during.put("backfill_state_after", state.path("state").asText());
            during.put("backfill_delivered_during_phase", state.path("delivered").asLong() - before);
            during.put("backfill_events_per_s_during_phase", Db.round((state.path("delivered").asLong() - before) / ((System.nanoTime() - b0) / 1e9)));
            if ("running".equals(state.path("state").asText())) {
                BackfillPhase.act(hub.managementPort, id, "cancel");
            }
            log("  backfill during the live phase: " + state);
        } finally {
            hub.close();
        }
    }

    private static List<String> jvmArgs(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    /** Starts a hub, sends one signed callback (its first 200 timed), and attaches the memory sampler. */
    private HubUnderTest startHub(Path home, Map<String, String> props, List<String> jvmArgs) throws Exception {
        HubUnderTest started = HubUnderTest.start(home, props, jvmArgs);
        try (HttpLoadClient first = new HttpLoadClient(started.callbackUri, props.get("hub.callback.url"), AUTH_KEY)) {
            int status = first.post(Events.seed().withJobId(run + "-first-" + started.process.pid()));
            if (status != 200) {
                started.close();
                throw new IllegalStateException("first callback answered " + status + ": " + first.lastBody());
            }
            started.firstAcceptDone();
        }
        started.startSampling();
        return started;
    }

    /** New free HTTP and management ports in props; returns the new signed callback URL. */
    private static String freshPorts(Map<String, String> props) throws Exception {
        int httpPort = TestServers.freePort();
        String url = "http://127.0.0.1:" + httpPort + props.get("hub.http.path");
        props.put("hub.http.port", String.valueOf(httpPort));
        props.put("hub.management.port", String.valueOf(TestServers.freePort()));
        props.put("hub.callback.url", url);
        return url;
    }

    /**
     * Ready on an otherwise idle machine (issue 21: ready in at most 2 s): bench.starts times, the S3
     * hub is started once the machine is idle and stopped again once /observe/health is UP; the first
     * start migrates the fresh database, the others are restarts. The hubs of the run's phases start
     * too (process_start_to_health_up_ms), but right after the servers or after heavy phases, while
     * PostgreSQL or this JVM still work: those figures say how start competes for the cores.
     */
    private Map<String, Object> quietStarts(Map<String, String> hubProps, List<String> jvmArgs) throws Exception {
        Map<String, Object> startup = new LinkedHashMap<>();
        List<Double> ready = new ArrayList<>();
        List<Double> busy = new ArrayList<>();
        for (int i = 0; i < config.starts; i++) {
            Map<String, String> props = new LinkedHashMap<>(hubProps);
            freshPorts(props);
            busy.add(awaitIdleMachine());
            try (HubUnderTest started = HubUnderTest.start(Path.of("target/benchmarks/hub-" + run + "-start" + i), props, jvmArgs)) {
                ready.add(Db.round(started.readyMs));
            }
        }
        log("ready on an idle machine, ms: " + ready + " (machine busy before each start, %: " + busy + ")");
        List<Double> sorted = new ArrayList<>(ready);
        java.util.Collections.sort(sorted);
        startup.put("idle_machine_ready_ms", ready);
        startup.put("idle_machine_ready_median_ms", sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2));
        startup.put("idle_machine_busy_pct_before_each", busy);
        return startup;
    }

    /** Waits (at most 30 s) for a second in which the machine's CPUs were busy less than 10 %; returns the last second's busy %. */
    private static double awaitIdleMachine() throws InterruptedException {
        double pct = 100;
        for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end && pct >= 10; ) {
            long[] m0 = Machine.cpuJiffies();
            Thread.sleep(1000);
            long[] m1 = Machine.cpuJiffies();
            pct = Db.round(100.0 * (m1[0] - m0[0]) / Math.max(1, m1[1] - m0[1]));
        }
        return pct;
    }

    /** Unmeasured closed-loop load for `seconds`, in rounds of at most bench.max-events, each waited for until done. */
    private void warmUp(BenchProcess target, String url, Events seed, String prefix, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int round = 0; System.nanoTime() < end; round++) {
            long left = Math.max(1000, (end - System.nanoTime()) / 1_000_000);
            String roundPrefix = prefix + round + "-";
            LoadDriver.Result r = LoadDriver.closedLoop(config.concurrency, left, config.maxEvents, http(target, url, seed, roundPrefix));
            db.awaitSettled(roundPrefix, r.ok(), 600, target);
        }
    }

    /**
     * CPU per event of each path alone (issue 21), from the process's own CPU time (/proc): idle first
     * (what it burns with no load: MNS polling, timers), then accept alone (processing held back:
     * closed loop of signed seed callbacks, at most bench.max-events, every event stays in the inbox
     * and the in-memory hand-off), then processing alone (released; until every event is done).
     * Per event figures are gross (idle included); the idle rate is reported next to them.
     */
    private Map<String, Object> acceptThenProcess(BenchProcess target, String url, Events seed, String name) throws Exception {
        String prefix = run + "-" + name + "-";
        Map<String, Object> out = new LinkedHashMap<>();
        double idle0 = target.cpuSeconds();
        long i0 = System.nanoTime();
        Thread.sleep(config.idleSeconds * 1000L);
        double idleMsPerS = 1000 * (target.cpuSeconds() - idle0) / ((System.nanoTime() - i0) / 1e9);
        out.put("idle_cpu_ms_per_s", Db.round(idleMsPerS));

        // bench.cpu-rounds rounds of accept alone then processing alone; the figures of each path are those
        // of its median round (the CPU per event of one round moves by 0.1-0.3 ms on a shared 2-core machine)
        List<Map<String, Object>> accepts = new ArrayList<>();
        List<Map<String, Object>> processes = new ArrayList<>();
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (int round = 0; round < config.cpuRounds; round++) {
            String roundPrefix = prefix + "r" + round + "-";
            String phase = round == 0 ? name : name + "-r" + round; // profile files of later rounds get the round
            Map<String, Object> accept = acceptAlone(target, url, seed, phase, roundPrefix, idleMsPerS);
            Map<String, Object> process = processAlone(target, seed, phase, roundPrefix, ((Number) accept.get("ok")).longValue(), idleMsPerS);
            accepts.add(accept);
            processes.add(process);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("accept_net_cpu_ms_per_event", netMs(accept));
            r.put("process_net_cpu_ms_per_event", netMs(process));
            r.put("done_while_held", accept.get("done_while_held"));
            rounds.add(r);
        }
        out.put("accept", medianByNetCpu(accepts));
        out.put("process", medianByNetCpu(processes));
        out.put("rounds", rounds);
        out.put("end_to_end_cpu_ms_per_event", Db.round(cpuMs(out.get("accept")) + cpuMs(out.get("process"))));
        out.put("end_to_end_net_cpu_ms_per_event", Db.round(netMs(out.get("accept")) + netMs(out.get("process"))));
        profile(target, "start", name + "-paced");
        out.put("paced", paced(target, url, seed, name, idleMsPerS));
        profile(target, "stop", name + "-paced");
        log("  " + name + ": " + out);
        return out;
    }

    /** Accept alone: processing held back, a closed loop of seed callbacks (prefix: their JobIds). */
    private Map<String, Object> acceptAlone(BenchProcess target, String url, Events seed, String name, String prefix, double idleMsPerS)
            throws Exception {
        target.hold();
        profile(target, "start", name + "-accept");
        Map<String, Object> accept = measureCpu(target, () -> {
            LoadDriver.Result r = LoadDriver.closedLoop(config.concurrency, config.durationSeconds * 1000L, config.maxEvents,
                    http(target, url, seed, prefix));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", r.ok());
            m.put("errors", r.errors());
            if (r.firstError() != null) {
                m.put("first_error", r.firstError());
            }
            m.put("per_s", Db.round(r.perSecond()));
            m.put("p50_ms", Db.round(r.latencies().percentileMs(50)));
            m.put("p99_ms", Db.round(r.latencies().percentileMs(99)));
            m.put("load_threads_cpu_s", Db.round(r.loadCpuSeconds()));
            return m;
        });
        target.checkAlive(name + " accept");
        profile(target, "stop", name + "-accept");
        long ok = ((Number) accept.get("ok")).longValue();
        long doneEarly = db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE ? AND state = 'done'", prefix + "%");
        accept.put("done_while_held", doneEarly); // 0: processing really was held back
        return perEvent(accept, ok, idleMsPerS);
    }

    /** Processing alone: the events accept held back released at once, until all are done. */
    private Map<String, Object> processAlone(BenchProcess target, Events seed, String name, String prefix, long ok, double idleMsPerS)
            throws Exception {
        double[] drain = new double[1];
        profile(target, "start", name + "-process");
        Map<String, Object> process = measureCpu(target, () -> {
            target.release();
            drain[0] = db.awaitSettled(prefix, ok, 900, target);
            return new LinkedHashMap<>();
        });
        profile(target, "stop", name + "-process");
        target.drained();
        process.put("events", ok);
        process.put("drain_s", Db.round(drain[0]));
        process.put("events_per_s", Db.round(ok / drain[0]));
        Map<String, Object> e2e = db.endToEnd(prefix);
        process.put("events_done", e2e.get("events_done"));
        process.put("events_parked", e2e.get("events_parked"));
        process.put("tag_rows_in_db", e2e.get("tag_rows_in_db"));
        process.put("expected_tag_rows", ok * seed.tagRows);
        return perEvent(process, ok, idleMsPerS);
    }

    /** The round whose net CPU per event is the median (the lower middle one of an even count). */
    private static Map<String, Object> medianByNetCpu(List<Map<String, Object>> rounds) {
        List<Map<String, Object>> sorted = new ArrayList<>(rounds);
        sorted.sort(java.util.Comparator.comparingDouble(HubBenchmark::netMs));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** CPU ms per event: gross (all the process's CPU in the phase) and net (less its idle rate over the phase's wall time). */
    /**
     * End to end CPU per event at a modest fixed rate (open loop, bench.paced-rate/s for
     * bench.duration-seconds): accept and processing together as in ordinary traffic, where the
     * hub's hand-off carries each event to a worker in memory. CPU from the first request until every
     * event is done, gross and net of the idle rate measured by acceptThenProcess just before.
     */
    private Map<String, Object> paced(BenchProcess target, String url, Events seed, String name, double idleMsPerS) throws Exception {
        String prefix = run + "-" + name + "-paced-";
        Map<String, Object> m = measureCpu(target, () -> {
            LoadDriver.Result r = LoadDriver.openLoop(config.concurrency, config.pacedRate, config.durationSeconds * 1000L,
                    config.maxEvents, http(target, url, seed, prefix));
            double drain = db.awaitSettled(prefix, r.ok(), 600, target);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("offered_per_s", config.pacedRate);
            out.put("ok", r.ok());
            out.put("errors", r.errors());
            out.put("accept_p99_ms", Db.round(r.latencies().percentileMs(99)));
            out.put("drain_after_load_s", Db.round(drain));
            return out;
        });
        long ok = ((Number) m.get("ok")).longValue();
        perEvent(m, ok, idleMsPerS);
        Map<String, Object> e2e = db.endToEnd(prefix);
        m.put("end_to_end_p99_ms", e2e.get("p99_ms"));
        m.put("events_done", e2e.get("events_done"));
        log("  " + name + " paced: " + m);
        return m;
    }

    /**
     * Profiles one phase of the process (start, then stop): with -Dbench.jfr=true a JFR recording
     * (settings=profile, jcmd JFR.start / JFR.stop) to target/benchmarks/jfr/<name>.jfr; with
     * -Dbench.asprof=<path of asprof> async-profiler's CPU samples (every 1 ms, Java and native
     * frames) as collapsed stacks to target/benchmarks/profile/<name>.collapsed. Profiles, not
     * measurements: the CPU figures of a run with either are not reported as such.
     */
    private void profile(BenchProcess target, String what, String name) throws Exception {
        boolean start = "start".equals(what);
        String pid = String.valueOf(target.pid());
        if (config.jfr) {
            Path file = outputFile("jfr", name + ".jfr");
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            runTool("jfr " + what + " " + name, start
                    ? List.of(jcmd, pid, "JFR.start", "name=" + name, "settings=profile")
                    : List.of(jcmd, pid, "JFR.stop", "name=" + name, "filename=" + file));
        }
        if (!config.asprof.isEmpty()) {
            Path file = outputFile("profile", name + ".collapsed");
            runTool("asprof " + what + " " + name, start
                    ? List.of(config.asprof, "start", "-e", "cpu", "-i", "1ms", pid)
                    : List.of(config.asprof, "stop", "-o", "collapsed", "-f", file.toString(), pid));
        }
    }

    private static Path outputFile(String dir, String file) throws Exception {
        Path path = Path.of("target/benchmarks", dir).toAbsolutePath();
        java.nio.file.Files.createDirectories(path);
        return path.resolve(file);
    }

    private void runTool(String label, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        log("  " + label + ": " + output.trim().replaceAll("\\s+", " "));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> perEvent(Map<String, Object> m, long events, double idleMsPerS) {
        Map<String, Object> cpu = (Map<String, Object>) m.get("cpu");
        cpu.put("cpu_ms_per_event", Db.round(1000 * (Double) cpu.get("hub_cpu_s") / Math.max(1, events)));
        cpu.put("net_cpu_ms_per_event", Db.round((1000 * (Double) cpu.get("hub_cpu_s") - idleMsPerS * (Double) cpu.get("wall_s"))
                / Math.max(1, events)));
        if (cpu.get("postgres_cpu_s") instanceof Double pg) {
            cpu.put("postgres_cpu_ms_per_event", Db.round(1000 * pg / Math.max(1, events)));
        }
        return m;
    }

    static double cpuMs(Object phase) {
        return cpuField(phase, "cpu_ms_per_event");
    }

    static double netMs(Object phase) {
        return cpuField(phase, "net_cpu_ms_per_event");
    }

    private static double cpuField(Object phase, String field) {
        Object cpu = phase instanceof Map<?, ?> m ? m.get("cpu") : null;
        Object v = cpu instanceof Map<?, ?> c ? c.get(field) : null;
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * The same-work baseline (SameWorkBaseline) in its own process with the hub's JVM options: warm-up,
     * accept alone and processing alone with the file archive and with S3, then a closed loop at max
     * rate (S3, like hub_seed_max) for the end-to-end rate.
     */
    private void sameWork(Map<String, Object> results, Events seed) throws Exception {
        int port = TestServers.freePort();
        String url = "http://127.0.0.1:" + port + "/callbacks/vod";
        Path home = Path.of("target/benchmarks/same-work-" + run).toAbsolutePath();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("same.signed-url", url);
        props.put("same.auth-key", AUTH_KEY);
        props.put("same.db.url", db.url);
        props.put("same.db.user", db.user);
        props.put("same.db.password", db.password);
        props.put("same.archive-dir", home.resolve("archive").toString());
        props.put("same.s3.bucket", TestServers.newBucket());
        props.put("same.s3.endpoint", TestServers.s3Endpoint());
        props.put("same.s3.access-key", TestServers.S3_ACCESS_KEY);
        props.put("same.s3.secret-key", TestServers.S3_SECRET_KEY);
        log("starting the same-work baseline (JDK HttpServer + JDBC + file/S3, no Camel)");
        try (SameWorkProcess same = SameWorkProcess.start(home, port, props, jvmArgs(config.hubJvmArgs))) {
            same.admin("archive?mode=s3");
            log("same-work warm-up: " + config.warmupSeconds + " s (not reported)");
            warmUp(same, url, seed, run + "-swarm-", config.warmupSeconds);
            same.admin("archive?mode=file");
            cpuPerEvent.put("same_work_file", acceptThenProcess(same, url, seed, "same-file"));
            same.admin("archive?mode=s3");
            cpuPerEvent.put("same_work_s3", acceptThenProcess(same, url, seed, "same-s3"));
            log("same-work baseline: seed events, closed loop (max rate), S3 archive");
            load(same, "same_work_seed_max", () -> LoadDriver.closedLoop(config.concurrency, config.durationSeconds * 1000L,
                    config.maxEvents, http(same, url, seed, run + "-samemax-")), run + "-samemax-", seed.tagRows, 1);
            results.put("same_work_peak_rss_mib", same.peakRssMib());
        }
    }

    /**
     * Steady state (issue 21): for each JVM option set of bench.steady.jvm-args ("|"-separated), a hub
     * with the S3 archive, bench.steady-seconds of closed-loop load (not measured), then accept alone
     * and processing alone. Written to target/benchmarks/steady.json and docs/benchmarks-steady.md.
     */
    private void steady(Map<String, Object> results, Map<String, String> hubProps, Events seed) throws Exception {
        Map<String, Object> sets = new LinkedHashMap<>();
        for (String options : config.steadyJvmArgs.split("\\|")) {
            Map<String, String> props = new LinkedHashMap<>(hubProps);
            String url = freshPorts(props);
            log("steady state: starting the hub with " + options.trim());
            try (HubUnderTest steadyHub = startHub(Path.of("target/benchmarks/hub-" + run + "-steady-" + sets.size()), props,
                    jvmArgs(options))) {
                Map<String, Object> set = new LinkedHashMap<>();
                set.put("jvm_args", options.trim());
                set.put("start_to_health_up_ms", Db.round(steadyHub.readyMs));
                double cpu0 = steadyHub.cpuSeconds();
                log("steady state: " + config.steadySeconds + " s of load before measuring");
                warmUp(steadyHub, url, seed, run + "-steadywarm-" + sets.size() + "-", config.steadySeconds);
                set.put("warm_up_cpu_s", Db.round(steadyHub.cpuSeconds() - cpu0));
                set.put("hub_s3", acceptThenProcess(steadyHub, url, seed, "steady-" + sets.size()));
                set.put("memory", steadyHub.memoryReport());
                sets.put("set_" + sets.size(), set);
            }
        }
        results.put("steady_state", sets);
        results.put("total_runtime_s", Db.round((System.nanoTime() - runStartNanos) / 1e9));
        BenchReport.writeSteady(results, Path.of("target/benchmarks/steady.json"), Path.of("docs/benchmarks-steady.md"));
    }

    /**
     * Memory mode (issue 21): for each JVM option set of bench.memory.jvm-args ("|"-separated), a fresh
     * hub with the S3 archive, the warm-up, then a seed burst and the large events, each until processed.
     * Written to target/benchmarks/memory.json and docs/benchmarks-memory.md.
     */
    private void memory(Map<String, Object> results, Map<String, String> hubProps, Events seed, Events large) throws Exception {
        Map<String, Object> sets = new LinkedHashMap<>();
        int n = config.concurrency;
        for (String options : config.memoryJvmArgs.split("\\|")) {
            Map<String, String> props = new LinkedHashMap<>(hubProps);
            signedUrl = freshPorts(props);
            String tag = "mem" + sets.size();
            log("memory: starting the hub with " + options.trim());
            try (HubUnderTest memoryHub = startHub(Path.of("target/benchmarks/hub-" + run + "-" + tag), props, jvmArgs(options))) {
                hub = memoryHub;
                Map<String, Object> set = new LinkedHashMap<>();
                set.put("jvm_args", options.trim());
                set.put("start_to_health_up_ms", Db.round(memoryHub.readyMs));
                warmUp(memoryHub, signedUrl, seed, run + "-" + tag + "warm-", config.warmupSeconds);
                set.put("seed", untilProcessed(tag + "_seed", () -> LoadDriver.closedLoop(n, config.durationSeconds * 1000L,
                        config.maxEvents, http(seed, run + "-" + tag + "seed-")), run + "-" + tag + "seed-", seed.tagRows));
                set.put("large", untilProcessed(tag + "_large", () -> LoadDriver.closedLoop(n, 10L * config.durationSeconds * 1000L,
                        config.largeEvents, http(large, run + "-" + tag + "large-")), run + "-" + tag + "large-", large.tagRows));
                set.put("memory", memoryHub.memoryReport());
                sets.put("set_" + sets.size(), set);
            }
        }
        results.put("memory_sets", sets);
        results.put("total_runtime_s", Db.round((System.nanoTime() - runStartNanos) / 1e9));
        BenchReport.writeMemory(results, Path.of("target/benchmarks/memory.json"), Path.of("docs/benchmarks-memory.md"));
    }

    /** A load phase (see load), with the hub's CPU from its start until its last event is processed. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> untilProcessed(String name, Callable<LoadDriver.Result> phase, String jobPrefix, int rows) throws Exception {
        double cpu0 = hub.cpuSeconds();
        Map<String, Object> m = load(name, phase, jobPrefix, rows);
        double cpu = hub.cpuSeconds() - cpu0;
        long events = (Long) m.get("ok");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", events);
        out.put("hub_cpu_s", Db.round(cpu));
        out.put("cpu_ms_per_event", Db.round(1000 * cpu / Math.max(1, events)));
        out.put("end_to_end_events_per_s", ((Map<String, Object>) m.get("end_to_end")).get("events_per_s"));
        return out;
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
        liveRate = e2eRate / 2;

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
        return http(hub, signedUrl, events, jobPrefix);
    }

    private static LoadDriver.OpFactory http(BenchProcess target, String signedUrl, Events events, String jobPrefix) {
        return () -> {
            HttpLoadClient client = new HttpLoadClient(target.callbackUri(), signedUrl, AUTH_KEY);
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
    private Map<String, Object> load(String name, Callable<LoadDriver.Result> phase, String jobPrefix, int rowsPerEvent,
            int eventsPerOp) throws Exception {
        return load(hub, name, phase, jobPrefix, rowsPerEvent, eventsPerOp);
    }

    /** As above, with the CPU of target (the hub, or the same-work baseline's process). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> load(BenchProcess target, String name, Callable<LoadDriver.Result> phase, String jobPrefix,
            int rowsPerEvent, int eventsPerOp) throws Exception {
        Map<String, Object> m = measureCpu(target, () -> {
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
        target.checkAlive(name);
        if (jobPrefix != null) {
            long ok = (Long) m.get("ok");
            Map<String, Object> cpu = (Map<String, Object>) m.get("cpu");
            cpu.put("hub_cpu_ms_per_event", Db.round(1000 * (Double) cpu.get("hub_cpu_s") / Math.max(1, ok)));
            double drain = db.awaitSettled(jobPrefix, ok, 900, target);
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
        return measureCpu(hub, body);
    }

    /** As above for target's process (the "hub_cpu_s" of a same-work phase is the baseline's process). */
    private Map<String, Object> measureCpu(BenchProcess target, Callable<Map<String, Object>> body) throws Exception {
        double hub0 = target.cpuSeconds();
        double bench0 = Machine.processCpuSeconds(ProcessHandle.current().pid());
        double pg0 = postgresPort > 0 ? Machine.postgresCpuSeconds(postgresPort) : -1;
        long[] m0 = Machine.cpuJiffies();
        long t0 = System.nanoTime();
        Map<String, Object> out = body.call();
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] m1 = Machine.cpuJiffies();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("wall_s", Db.round(wall));
        cpu.put("hub_cpu_s", Db.round(target.cpuSeconds() - hub0));
        cpu.put("bench_jvm_cpu_s", Db.round(Machine.processCpuSeconds(ProcessHandle.current().pid()) - bench0));
        if (pg0 >= 0) {
            cpu.put("postgres_cpu_s", Db.round(Machine.postgresCpuSeconds(postgresPort) - pg0));
        }
        cpu.put("machine_busy_pct", Db.round(100.0 * (m1[0] - m0[0]) / Math.max(1, m1[1] - m0[1])));
        out.put("cpu", cpu);
        return out;
    }

    /** The last step logged: the hubs' memory samplers name it as the step of their peak RSS. */
    static volatile String step = "start";

    static void log(String line) {
        if (!line.startsWith(" ")) {
            step = line.length() > 120 ? line.substring(0, 120) : line;
        }
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
