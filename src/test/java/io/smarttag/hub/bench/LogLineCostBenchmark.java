package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.DeliveryState;
import io.smarttag.hub.inbox.EventLog;
import io.smarttag.hub.inbox.EventMdc;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.testsupport.Samples;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;

/**
 * What the per-event lines (EventLog, hub.log.events) cost, per logging setup: synchronous console
 * appender, log4j's AsyncAppender, and log4j's async loggers (LMAX disruptor), each in a JVM of its
 * own (the context selector is per JVM) writing JSON lines (hub.log.format=json) to a file, as a
 * container's stdout is. Each JVM warms up (100,000 events as fast as it goes), then logs an accept
 * and a finish line per event at a steady rate (the queues of the async setups do not fill, as in
 * the hub below its limits) and reports, per line,
 * the time the calling worker spends (mean, p50, p99) and the process's CPU time (the background
 * writer included), less that of the same loop with the lines off.
 *
 * <pre>
 * mvn -B -ntp -q test-compile
 * java -cp "target/test-classes:target/classes:$(mvn -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout)" \
 *     io.smarttag.hub.bench.LogLineCostBenchmark [events/s] [seconds]
 * </pre>
 */
public final class LogLineCostBenchmark {

    private static final String SYNC_SELECTOR = "org.apache.logging.log4j.core.selector.ClassLoaderContextSelector";
    private static final String ASYNC_SELECTOR = "org.apache.logging.log4j.core.async.AsyncLoggerContextSelector";

    private LogLineCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Boolean.parseBoolean(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = Files.createTempDirectory("log-line-cost");
        Path asyncAppender = dir.resolve("log4j2-async-appender.properties");
        Files.writeString(asyncAppender, String.join("\n",
                "status = warn",
                "appender.json.type = Console",
                "appender.json.name = json",
                "appender.json.layout.type = JsonTemplateLayout",
                "appender.json.layout.eventTemplateUri = classpath:EcsLayout.json",
                "appender.async.type = Async",
                "appender.async.name = async",
                "appender.async.appenderRef.type = AppenderRef",
                "appender.async.appenderRef.ref = json",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.async.ref = async", ""));
        Path sync = dir.resolve("log4j2-sync.properties");
        Files.writeString(sync, String.join("\n",
                "status = warn",
                "appender.json.type = Console",
                "appender.json.name = json",
                "appender.json.layout.type = JsonTemplateLayout",
                "appender.json.layout.eventTemplateUri = classpath:EcsLayout.json",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.json.ref = json", ""));
        Map<String, List<String>> setups = new java.util.LinkedHashMap<>();
        setups.put("lines off (hub.log.events=false)", List.of("false", SYNC_SELECTOR, sync.toString()));
        setups.put("sync console appender", List.of("true", SYNC_SELECTOR, sync.toString()));
        setups.put("AsyncAppender", List.of("true", SYNC_SELECTOR, asyncAppender.toString()));
        setups.put("async loggers (disruptor)", List.of("true", ASYNC_SELECTOR, sync.toString()));
        setups.put("async loggers, Sleep wait", List.of("true", ASYNC_SELECTOR, sync.toString(), "-Dlog4j2.asyncLoggerWaitStrategy=Sleep"));
        System.out.printf("%d events/s (2 lines each) for %d s per setup; JSON lines to a file%n", rate, seconds);
        System.out.println("| setup | caller mean ns/line | caller p50 ns | caller p99 ns | process CPU ns/line over lines off | lines written |");
        System.out.println("|---|---|---|---|---|---|");
        double offCpu = 0;
        for (var setup : setups.entrySet()) {
            Path out = dir.resolve(setup.getKey().replaceAll("\\W+", "-") + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx160m", "-XX:+UseSerialGC", "-Dhub.log.format=json", "-Dlog4j2.contextSelector=" + setup.getValue().get(1),
                    "-Dlog4j2.configurationFile=" + setup.getValue().get(2)));
            command.addAll(setup.getValue().subList(3, setup.getValue().size()));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    LogLineCostBenchmark.class.getName(), "child", setup.getValue().get(0), String.valueOf(rate), String.valueOf(seconds)));
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).start();
            String result = new String(process.getErrorStream().readAllBytes()).trim();
            process.waitFor(5, TimeUnit.MINUTES);
            String[] f = result.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse("RESULT 0 0 0 0 0").split(" ");
            double cpu = Double.parseDouble(f[4]);
            if (setup.getValue().get(0).equals("false")) {
                offCpu = cpu;
            }
            long written;
            try (var lines = Files.lines(out)) {
                written = lines.filter(l -> l.contains("\"event.action\"")).count();
            }
            System.out.printf("| %s | %s | %s | %s | %.0f | %d |%n", setup.getKey(), f[1], f[2], f[3],
                    setup.getValue().get(0).equals("false") ? 0 : cpu - offCpu, written);
            if (!result.contains("RESULT")) {
                System.out.println(result);
            }
        }
    }

    /** One setup: log at the rate, measure each call, flush (LogManager.shutdown) and print the result to stderr. */
    private static void child(boolean enabled, int rate, int seconds) throws Exception {
        EventLog log = new EventLog(enabled);
        VodEvent event = new ObjectMapper().readValue(Samples.seed(), VodEvent.class);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Destinations destinations = new Destinations(List.of(destination("database"), destination("archive"), destination("webhook")));
        EventWork work = new EventWork("2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", new byte[0], now.minusNanos(42_000_000), 1,
                Map.of("database", new DeliveryState(DeliveryState.DONE, 1, now, null, now, true),
                        "archive", new DeliveryState(DeliveryState.DONE, 1, now, null, now, true),
                        "webhook", new DeliveryState(DeliveryState.PENDING, 1, now.plusSeconds(1), "HTTP 503", null, true)),
                now.minusSeconds(1));
        work.setEvent(event);
        new EventMdc().event(event, work.getInboxId());
        long interval = 1_000_000_000L / rate;
        // warm-up, not measured: as fast as it goes, so the JIT compiles the paths (a paced loop of a
        // few thousand calls would be measured in the interpreter), then time for the queue to drain
        run(log, event, work, destinations, now, 0, 100_000, null);
        Thread.sleep(3000);
        int events = rate * seconds;
        long[] nanos = new long[events * 2];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        run(log, event, work, destinations, now, interval, events, nanos);
        LogManager.shutdown(); // what is queued is written before the CPU time is read
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(0);
        System.err.printf("RESULT %.0f %d %d %.0f%n", mean, sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)],
                (double) cpu / nanos.length);
    }

    private static void run(EventLog log, VodEvent event, EventWork work, Destinations destinations, OffsetDateTime now,
            long interval, int events, long[] nanos) {
        long next = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long t0 = System.nanoTime();
            log.accepted("http", event, work.getInboxId());
            long t1 = System.nanoTime();
            log.finished(work, destinations, "success", DeliveryState.PENDING, now.plusSeconds(1), now, null);
            long t2 = System.nanoTime();
            if (nanos != null) {
                nanos[2 * i] = t1 - t0;
                nanos[2 * i + 1] = t2 - t1;
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (interval > 0 && wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private static Destination destination(String name) {
        return new Destination(name, name, Set.of("success"), key -> null);
    }
}
