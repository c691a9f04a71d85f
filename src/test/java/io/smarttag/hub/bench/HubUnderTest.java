package io.smarttag.hub.bench;

import com.sun.tools.attach.VirtualMachine;
import io.smarttag.hub.HubMain;
import io.smarttag.hub.testsupport.HubProcess;
import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The hub as its own JVM process, started like ops start it (HubMain from the repository root,
 * settings as HUB_* environment variables; see HubProcess). Its own launcher, not HubProcess.start,
 * because that polls health every 100 ms and the start-to-ready time is one of the results.
 * Memory: VmHWM/VmRSS from /proc, heap over JMX (the local management agent, attached after start),
 * sampled in the background so peaks between phases are seen.
 */
final class HubUnderTest implements BenchProcess, AutoCloseable {

    final Process process;
    final URI callbackUri;
    final int managementPort;
    final Path log;
    double readyMs;
    double firstAcceptMs;
    private long startedNanos;
    private JMXConnector jmx;
    private MBeanServerConnection server;
    private MemoryMXBean memory;
    private List<MemoryPoolMXBean> pools = List.of();
    private List<GarbageCollectorMXBean> collectors = List.of();
    private volatile long maxRssKib;
    private volatile String maxRssStep = "";
    private volatile long maxHeapUsed;
    private volatile long maxHeapCommitted;
    private volatile boolean sampling = true;
    private Thread sampler;

    private HubUnderTest(Process process, URI callbackUri, int managementPort, Path log) {
        this.process = process;
        this.callbackUri = callbackUri;
        this.managementPort = managementPort;
        this.log = log;
    }

    static HubUnderTest start(Path home, Map<String, String> properties, List<String> jvmArgs) throws Exception {
        Files.createDirectories(home);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(launch());
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")));
        properties.forEach((key, value) -> builder.environment().put(HubProcess.environmentName(key), value));
        Path log = home.resolve("hub.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        URI callback = URI.create("http://127.0.0.1:" + properties.get("hub.http.port") + properties.get("hub.http.path"));
        int management = Integer.parseInt(properties.get("hub.management.port"));

        long t0 = System.nanoTime();
        HubUnderTest hub = new HubUnderTest(builder.start(), callback, management, log);
        hub.startedNanos = t0;
        hub.awaitHealthUp(t0);
        return hub;
    }

    /**
     * `-jar target/smarttag-hub.jar` as ops run it (the bench profile packages it before the run),
     * so the hub loads only its runtime jars; without the jar, the test class path (more jars on it,
     * so start time and memory are then slightly worse than in production).
     */
    static List<String> launch() {
        Path jar = Path.of("target/smarttag-hub.jar");
        Path classes = Path.of("target/classes");
        try {
            if (Files.exists(jar) && Files.getLastModifiedTime(jar).compareTo(newest(classes)) >= 0) {
                return List.of("-jar", jar.toString());
            }
        } catch (Exception e) {
            // fall through to the class path
        }
        return List.of("-cp", System.getProperty("java.class.path"), HubMain.class.getName());
    }

    private static java.nio.file.attribute.FileTime newest(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.getLastModifiedTime(f);
                } catch (Exception e) {
                    return java.nio.file.attribute.FileTime.fromMillis(Long.MAX_VALUE);
                }
            }).max(java.util.Comparator.naturalOrder()).orElse(java.nio.file.attribute.FileTime.fromMillis(0));
        }
    }

    /** Ready = /observe/health answers 200 (UP; readiness includes the database). Polled every 10 ms. */
    private void awaitHealthUp(long t0) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("hub exited with " + process.exitValue() + ", see " + log);
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    readyMs = (System.nanoTime() - t0) / 1e6;
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("hub not healthy after 120 s, see " + log);
    }

    /** Call right after the first signed callback got its 200: time from process start to then. */
    void firstAcceptDone() {
        firstAcceptMs = (System.nanoTime() - startedNanos) / 1e6;
    }

    /** Attaches over JMX and samples RSS and heap every 200 ms until close. */
    void startSampling() throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(process.pid()));
        String address = vm.startLocalManagementAgent();
        vm.detach();
        jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
        server = jmx.getMBeanServerConnection();
        memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        pools = ManagementFactory.getPlatformMXBeans(server, MemoryPoolMXBean.class);
        collectors = ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class);
        sampler = new Thread(() -> {
            while (sampling && process.isAlive()) {
                try {
                    long rss = procStatus("VmRSS:");
                    if (rss > maxRssKib) {
                        maxRssKib = rss;
                        maxRssStep = HubBenchmark.step;
                    }
                    MemoryUsage heap = memory.getHeapMemoryUsage();
                    maxHeapUsed = Math.max(maxHeapUsed, heap.getUsed());
                    maxHeapCommitted = Math.max(maxHeapCommitted, heap.getCommitted());
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the hub is going away
                }
            }
        }, "bench-hub-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * Suspends or resumes Camel routes of the hub over JMX (ManagedRoute suspend/resume): the
     * benchmark holds processing back (routes process and sweep) to measure accept alone, then
     * releases it to measure processing alone. A suspended seda consumer leaves the hand-offs in
     * its queue; nothing is lost.
     */
    void routes(String operation, String... routeIds) throws Exception {
        for (String id : routeIds) {
            var names = server.queryNames(new ObjectName("org.apache.camel:type=routes,name=\"" + id + "\",*"), null);
            if (names.isEmpty()) {
                throw new IllegalStateException("no route " + id + " in the hub's JMX");
            }
            for (ObjectName name : names) {
                server.invoke(name, operation, new Object[0], new String[0]);
            }
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public URI callbackUri() {
        return callbackUri;
    }

    /** Processing held back: the routes process (seda:process, the hand-offs wait in its queue) and sweep suspended. */
    @Override
    public void hold() throws Exception {
        routes("suspend", "sweep", "process");
        // a seda consumer thread already waiting in its poll (1 s) takes one more exchange before it
        // sees the suspension: wait that out, so none of the held events is processed
        Thread.sleep(1500);
    }

    /**
     * Processing resumed: the workers take the hand-offs from the queue. The sweep stays suspended
     * until they are done ({@link #drained()}): the held events are older than hub.sweep.grace-ms, and
     * a sweep claiming them at the same time would mix its path into the figure.
     */
    @Override
    public void release() throws Exception {
        routes("resume", "process");
    }

    @Override
    public void drained() throws Exception {
        routes("resume", "sweep");
    }

    /** Fails the run at once if the hub process is gone (its numbers would be meaningless). */
    @Override
    public void checkAlive(String during) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the hub process exited with " + process.exitValue() + " during " + during
                    + "; its log: " + log.toAbsolutePath());
        }
    }

    /** CPU seconds the hub process has used so far (utime + stime from /proc/<pid>/stat). */
    @Override
    public double cpuSeconds() {
        return Machine.processCpuSeconds(process.pid());
    }

    Map<String, Object> memoryReport() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peak_rss_mib", mib(procStatus("VmHWM:") * 1024));
        m.put("max_sampled_rss_mib", mib(maxRssKib * 1024));
        m.put("max_sampled_rss_during", maxRssStep);
        if (memory != null) {
            MemoryUsage heap = memory.getHeapMemoryUsage();
            long poolPeaks = 0;
            for (MemoryPoolMXBean pool : pools) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    poolPeaks += pool.getPeakUsage().getUsed();
                }
            }
            long gcCount = 0;
            long gcMillis = 0;
            for (GarbageCollectorMXBean gc : collectors) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            m.put("heap_max_mib", mib(heap.getMax()));
            m.put("peak_heap_used_mib", mib(Math.max(maxHeapUsed, poolPeaks)));
            m.put("max_sampled_heap_used_mib", mib(maxHeapUsed));
            m.put("peak_heap_committed_mib", mib(maxHeapCommitted));
            m.put("gc_collections", gcCount);
            m.put("gc_time_ms", gcMillis);
        }
        return m;
    }

    private static double mib(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws Exception {
        sampling = false;
        if (sampler != null) {
            sampler.interrupt();
        }
        if (jmx != null) {
            try {
                jmx.close();
            } catch (Exception ignored) {
                // the hub may be gone already
            }
        }
        process.destroy(); // SIGTERM: the hub's graceful shutdown
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
