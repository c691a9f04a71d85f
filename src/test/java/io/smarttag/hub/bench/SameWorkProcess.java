package io.smarttag.hub.bench;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The same-work baseline ({@link SameWorkBaseline}) as its own JVM process, with the hub's JVM options. */
final class SameWorkProcess implements BenchProcess, AutoCloseable {

    private final Process process;
    private final URI callback;
    private final URI admin;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SameWorkProcess(Process process, int port, Path log) {
        this.process = process;
        this.callback = URI.create("http://127.0.0.1:" + port + "/callbacks/vod");
        this.admin = URI.create("http://127.0.0.1:" + port + "/admin/");
        this.log = log;
    }

    /** jvmArgs: the hub's, less the class-data-sharing archive (written for the hub's class path). */
    static SameWorkProcess start(Path home, int port, Map<String, String> properties, List<String> jvmArgs) throws Exception {
        Files.createDirectories(home);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        jvmArgs.stream().filter(a -> !a.startsWith("-XX:SharedArchiveFile")).forEach(command::add);
        command.add("-Dsame.port=" + port);
        // the JDK HttpServer writes a response's headers and body separately: without TCP_NODELAY each
        // answer waits for the client's delayed ACK (~40 ms), which capped the baseline's accept rate
        command.add("-Dsun.net.httpserver.nodelay=true");
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SameWorkBaseline.class.getName());
        Path log = home.resolve("same-work.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        SameWorkProcess p = new SameWorkProcess(builder.start(), port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            p.checkAlive("start");
            try {
                p.admin("health");
                return p;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("same-work baseline not up after 60 s, see " + log);
    }

    String admin(String command) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin.resolve(command)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("same-work baseline: " + command + " answered " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public URI callbackUri() {
        return callback;
    }

    @Override
    public double cpuSeconds() {
        return Machine.processCpuSeconds(process.pid());
    }

    @Override
    public void hold() throws Exception {
        admin("pause");
    }

    @Override
    public void release() throws Exception {
        admin("resume");
    }

    @Override
    public void checkAlive(String during) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the same-work baseline exited with " + process.exitValue() + " during " + during
                    + "; its log: " + log.toAbsolutePath());
        }
    }

    /** VmHWM of the process in MiB. */
    double peakRssMib() {
        for (String line : Machine.lines("/proc/" + process.pid() + "/status")) {
            if (line.startsWith("VmHWM:")) {
                return Math.round(Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0 * 10) / 10.0;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
