package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the measured results into ratios, target verdicts, JSON and docs/benchmarks.md. Every number
 * written comes from the results map of this run; the only constants are the targets.
 */
final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> results;
    private final BenchConfig config;
    private final Map<String, Object> phases;
    private final List<Map<String, Object>> targets = new ArrayList<>();

    @SuppressWarnings("unchecked")
    BenchReport(Map<String, Object> results, BenchConfig config) {
        this.results = results;
        this.config = config;
        this.phases = (Map<String, Object>) results.get("phases");
        results.put("ratios", ratios());
        evaluateTargets();
        results.put("targets", targets);
    }

    /** The command as typed (Maven exports its arguments to the forked JVM's environment). */
    static String command() {
        String maven = System.getenv("MAVEN_CMD_LINE_ARGS");
        if (maven != null && !maven.isBlank()) {
            return "mvn " + maven.trim();
        }
        return "java -cp <test class path> " + HubBenchmark.class.getName();
    }

    private double get(String phase, String... path) {
        Object node = phases.get(phase);
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return Double.NaN;
            }
            node = map.get(key);
        }
        return node instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    /** A number from results.cpu_per_event (accept alone / processing alone, see HubBenchmark.acceptThenProcess). */
    private double cpe(String process, String... path) {
        Object node = results.get("cpu_per_event") instanceof Map<?, ?> m ? m.get(process) : null;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return Double.NaN;
            }
            node = map.get(key);
        }
        return node instanceof Number number ? number.doubleValue() : Double.NaN;
    }

    private Map<String, Object> ratios() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("hub_accept_vs_raw_single_insert", ratio(get("hub_seed_max", "per_s"), get("raw_single_insert", "per_s")));
        r.put("hub_e2e_vs_raw_seed_rows", ratio(get("hub_seed_max", "end_to_end", "events_per_s"), get("raw_seed_rows", "per_s")));
        r.put("hub_e2e_vs_raw_seed_rows_batched", ratio(get("hub_seed_max", "end_to_end", "events_per_s"),
                get("raw_seed_rows_batched", "per_s")));
        r.put("hub_e2e_vs_naive_camel_seed", ratio(get("hub_seed_max", "end_to_end", "events_per_s"), get("naive_camel_seed", "per_s")));
        r.put("hub_large_e2e_vs_raw_large_rows", ratio(get("hub_large_max", "end_to_end", "events_per_s"), get("raw_large_rows", "per_s")));
        r.put("hub_large_e2e_vs_naive_camel_large", ratio(get("hub_large_max", "end_to_end", "events_per_s"), get("naive_camel_large", "per_s")));
        r.put("hub_backfill_s3_vs_raw_seed_rows_batched", ratio(get("hub_backfill_s3", "events_per_s"), get("raw_seed_rows_batched", "per_s")));
        r.put("raw_s3_get_vs_raw_seed_rows_batched", ratio(get("raw_s3_get", "per_s"), get("raw_seed_rows_batched", "per_s")));
        r.put("hub_backfill_s3_vs_raw_s3_get", ratio(get("hub_backfill_s3", "events_per_s"), get("raw_s3_get", "per_s")));
        r.put("hub_backfill_file_vs_raw_seed_rows_batched", ratio(get("hub_backfill_file", "events_per_s"),
                get("raw_seed_rows_batched", "per_s")));
        r.put("hub_live_e2e_p99_during_backfill_vs_alone", ratio(get("hub_live_during_backfill", "end_to_end", "p99_ms"),
                get("hub_live_alone", "end_to_end", "p99_ms")));
        r.put("hub_accept_vs_same_work_accept_rate", ratio(cpe("hub_s3", "accept", "per_s"), cpe("same_work_s3", "accept", "per_s")));
        r.put("hub_accept_vs_same_work_accept_cpu", ratio(cpe("same_work_s3", "accept", "cpu", "net_cpu_ms_per_event"),
                cpe("hub_s3", "accept", "cpu", "net_cpu_ms_per_event")));
        r.put("hub_e2e_vs_same_work_e2e_rate", ratio(get("hub_seed_max", "end_to_end", "events_per_s"),
                get("same_work_seed_max", "end_to_end", "events_per_s")));
        r.put("hub_e2e_vs_same_work_e2e_cpu_s3", ratio(cpe("same_work_s3", "end_to_end_net_cpu_ms_per_event"),
                cpe("hub_s3", "end_to_end_net_cpu_ms_per_event")));
        r.put("hub_e2e_vs_same_work_e2e_cpu_file", ratio(cpe("same_work_file", "end_to_end_net_cpu_ms_per_event"),
                cpe("hub_file", "end_to_end_net_cpu_ms_per_event")));
        r.put("hub_process_vs_same_work_process_rate_s3", ratio(cpe("hub_s3", "process", "events_per_s"),
                cpe("same_work_s3", "process", "events_per_s")));
        r.put("hub_mns_vs_hub_http_e2e", ratio(get("hub_mns_seed", "events_per_s"), get("hub_seed_max", "end_to_end", "events_per_s")));
        return r;
    }

    private static double ratio(double a, double b) {
        return Db.round(a / b);
    }

    @SuppressWarnings("unchecked")
    private void evaluateTargets() {
        Map<String, Object> ratios = (Map<String, Object>) results.get("ratios");
        Map<String, Object> startup = (Map<String, Object>) results.get("startup");
        Map<String, Object> memory = (Map<String, Object>) results.getOrDefault("hub_memory", Map.of());
        target("accept throughput >= 70% of raw single-insert commits/s", ">= 0.70",
                (Double) ratios.get("hub_accept_vs_raw_single_insert"), 0.70, true,
                get("hub_seed_max", "per_s") + "/s vs " + get("raw_single_insert", "per_s") + "/s");
        target("accept p99 <= 20 ms at half the max accept rate", "<= 20 ms",
                get("hub_seed_half_accept_rate", "p99_ms"), 20, false,
                "offered " + get("hub_seed_half_accept_rate", "offered_per_s") + "/s");
        target("end-to-end throughput >= 70% of raw 44-row limit", ">= 0.70",
                (Double) ratios.get("hub_e2e_vs_raw_seed_rows"), 0.70, true,
                get("hub_seed_max", "end_to_end", "events_per_s") + "/s vs " + get("raw_seed_rows", "per_s") + "/s");
        target("end-to-end p99 <= 250 ms at half the max end-to-end rate", "<= 250 ms",
                get("hub_seed_half_e2e_rate", "end_to_end", "p99_ms"), 250, false,
                "offered " + get("hub_seed_half_e2e_rate", "offered_per_s") + "/s; received_at to done_at (rows + archive)");
        target(">= 5x the naive Camel route end to end", ">= 5.0",
                (Double) ratios.get("hub_e2e_vs_naive_camel_seed"), 5.0, true,
                get("hub_seed_max", "end_to_end", "events_per_s") + "/s vs " + get("naive_camel_seed", "per_s") + "/s");
        target("backfill from S3 >= 0.7 of raw_seed_rows_batched (issue 19)", ">= 0.70",
                (Double) ratios.get("hub_backfill_s3_vs_raw_seed_rows_batched"), 0.70, true,
                get("hub_backfill_s3", "events_per_s") + "/s vs " + get("raw_seed_rows_batched", "per_s") + "/s");
        target("backfill from files >= 0.7 of raw_seed_rows_batched (issue 19)", ">= 0.70",
                (Double) ratios.get("hub_backfill_file_vs_raw_seed_rows_batched"), 0.70, true,
                get("hub_backfill_file", "events_per_s") + "/s vs " + get("raw_seed_rows_batched", "per_s") + "/s");
        double alone = get("hub_live_alone", "end_to_end", "p99_ms");
        // "unchanged": within the run-to-run spread of two phases alone on this machine, 20% + 20 ms
        target("live end-to-end p99 unchanged while a backfill runs at its default rate (issue 19)", "<= 1.2 x alone + 20 ms",
                get("hub_live_during_backfill", "end_to_end", "p99_ms"), 1.2 * alone + 20, false,
                "alone " + alone + " ms at " + get("hub_live_alone", "offered_per_s") + "/s; the backfill delivered "
                + get("hub_live_during_backfill", "backfill_events_per_s_during_phase") + "/s meanwhile");
        double acceptMs = cpe("hub_s3", "accept", "cpu", "net_cpu_ms_per_event");
        target("accept: hub CPU <= 0.3 ms per callback (processing held back)", "<= 0.3 ms", acceptMs, 0.3, false,
                "net of idle, S3-archive hub (gross " + cpe("hub_s3", "accept", "cpu", "cpu_ms_per_event") + "); file-archive hub " + cpe("hub_file", "accept", "cpu", "net_cpu_ms_per_event") + " ms; idle "
                + cpe("hub_s3", "idle_cpu_ms_per_s") + " ms/s included; same-work baseline "
                + cpe("same_work_s3", "accept", "cpu", "net_cpu_ms_per_event") + " ms");
        target("processing: hub CPU <= 1.0 ms per seed event, file archive", "<= 1.0 ms",
                cpe("hub_file", "process", "cpu", "net_cpu_ms_per_event"), 1.0, false,
                "net of idle (gross " + cpe("hub_file", "process", "cpu", "cpu_ms_per_event") + "), released after accept alone, events loaded from the inbox; same-work baseline " + cpe("same_work_file", "process", "cpu", "net_cpu_ms_per_event") + " ms");
        target("processing: hub CPU <= 1.5 ms per seed event, S3 archive", "<= 1.5 ms",
                cpe("hub_s3", "process", "cpu", "net_cpu_ms_per_event"), 1.5, false,
                "net of idle (gross " + cpe("hub_s3", "process", "cpu", "cpu_ms_per_event") + "), S3Proxy; same-work baseline " + cpe("same_work_s3", "process", "cpu", "net_cpu_ms_per_event") + " ms");
        target("accept >= 0.7 of the same-work baseline (callbacks/s, processing held back)", ">= 0.70",
                (Double) ratios.get("hub_accept_vs_same_work_accept_rate"), 0.70, true,
                cpe("hub_s3", "accept", "per_s") + "/s vs " + cpe("same_work_s3", "accept", "per_s") + "/s; by CPU per event "
                + ratios.get("hub_accept_vs_same_work_accept_cpu"));
        target("end to end >= 0.7 of the same-work baseline (events/s, max rate, S3)", ">= 0.70",
                (Double) ratios.get("hub_e2e_vs_same_work_e2e_rate"), 0.70, true,
                get("hub_seed_max", "end_to_end", "events_per_s") + "/s vs " + get("same_work_seed_max", "end_to_end", "events_per_s")
                + "/s; by CPU per event (accept + processing): S3 " + ratios.get("hub_e2e_vs_same_work_e2e_cpu_s3") + ", file "
                + ratios.get("hub_e2e_vs_same_work_e2e_cpu_file"));
        double rssMb = memory.get("peak_rss_mib") instanceof Number n ? n.doubleValue() * 1.048576 : Double.NaN;
        target("peak RSS <= 256 MB under load", "<= 256 MB", Db.round(rssMb), 256, false,
                "VmHWM over the whole run; hub JVM options: " + (config.hubJvmArgs.isEmpty() ? "none" : config.hubJvmArgs));
        double readyS = ((Number) startup.get("idle_machine_ready_median_ms")).doubleValue() / 1000;
        target("ready <= 2 s after start", "<= 2 s", Db.round(readyS), 2, false, "process start to /observe/health UP, median of "
                + startup.get("idle_machine_ready_ms") + " ms (S3 hub started on an idle machine; the first on a fresh database); "
                + "started during the run: S3 hub " + startup.get("process_start_to_health_up_ms") + " ms, file-archive hub "
                + startup.get("file_archive_hub_start_to_health_up_ms") + " ms");
    }

    private void target(String name, String threshold, double measured, double limit, boolean atLeast, String detail) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("target", name);
        t.put("threshold", threshold);
        t.put("measured", measured);
        t.put("verdict", Double.isNaN(measured) ? "MISS (not measured)"
                : (atLeast ? measured >= limit : measured <= limit) ? "PASS" : "MISS");
        t.put("detail", detail);
        targets.add(t);
    }

    void write(Path results, Path docsJson, Path markdown) throws Exception {
        for (Path json : List.of(results, docsJson)) {
            Files.createDirectories(json.toAbsolutePath().getParent());
            JSON.writeValue(json.toFile(), this.results);
        }
        Files.writeString(markdown, BenchMarkdown.render(this.results, config));
    }

    /** Steady-state mode's results (HubBenchmark.steady): JSON and a short markdown page. */
    static void writeSteady(Map<String, Object> results, Path json, Path markdown) throws Exception {
        Files.createDirectories(json.toAbsolutePath().getParent());
        JSON.writeValue(json.toFile(), results);
        Files.writeString(markdown, BenchMarkdown.renderSteady(results));
        System.out.println(BenchMarkdown.renderSteady(results));
    }

    static void writeJson(Map<String, Object> results, Path json) throws Exception {
        Files.createDirectories(json.toAbsolutePath().getParent());
        JSON.writeValue(json.toFile(), results);
    }

    static void writeMemory(Map<String, Object> results, Path json, Path markdown) throws Exception {
        Files.createDirectories(json.toAbsolutePath().getParent());
        JSON.writeValue(json.toFile(), results);
        Files.writeString(markdown, BenchMarkdown.renderMemory(results));
        System.out.println(BenchMarkdown.renderMemory(results));
    }

    String summary() {
        StringBuilder sb = new StringBuilder("\n=== smarttag-hub benchmark ===\n");
        for (Map<String, Object> t : targets) {
            sb.append(String.format("%-4s %-58s measured %-8s (target %s) %s%n", t.get("verdict").toString().substring(0, 4),
                    t.get("target"), t.get("measured"), t.get("threshold"), t.get("detail")));
        }
        sb.append("ratios: ").append(results.get("ratios")).append('\n');
        sb.append("written: target/benchmarks/results.json, docs/benchmarks.json, docs/benchmarks.md\n");
        return sb.toString();
    }
}
