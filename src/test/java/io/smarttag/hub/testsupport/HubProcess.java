package io.smarttag.hub.testsupport;

import io.smarttag.hub.HubMain;
import java.io.File;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The hub as a separate JVM process, started the way ops start it ({@link HubMain} from the repo
 * root, configuration by environment variables), so tests can kill it with SIGKILL or SIGTERM and
 * benchmarks can read its memory. Output goes to a log file in the hub's home folder.
 */
public final class HubProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HubProcess(Process process, Path log, int httpPort, int managementPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    /**
     * Starts a hub with the given hub.* properties (passed as environment variables) and waits
     * until its health endpoint answers UP.
     */
    public static HubProcess start(Path home, Map<String, String> properties, String... jvmOptions) throws Exception {
        return start(home, properties, 0, jvmOptions);
    }

    /**
     * As {@link #start(Path, Map, String...)}, with the process's open-file limit (ulimit -n)
     * set to fileLimit (0: inherited), e.g. to exhaust it with fewer sockets than this JVM may hold.
     */
    public static HubProcess start(Path home, Map<String, String> properties, int fileLimit, String... jvmOptions) throws Exception {
        Files.createDirectories(home);
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.putIfAbsent("hub.http.port", String.valueOf(TestServers.freePort()));
        props.putIfAbsent("hub.management.port", String.valueOf(TestServers.freePort()));
        props.putIfAbsent("hub.db.url", "jdbc:h2:file:" + home.resolve("db/smarttag")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000");
        props.putIfAbsent("hub.archive.dir", home.resolve("archive").toString());
        props.putIfAbsent("hub.alert.outbox-dir", home.resolve("outbox").toString());
        props.putIfAbsent("hub.quarantine.dir", home.resolve("quarantine").toString());
        props.putIfAbsent("hub.spool.dir", home.resolve("spool").toString());

        ProcessBuilder builder = javaProcess(HubMain.class, List.of(jvmOptions), List.of(), props);
        if (fileLimit > 0) {
            // the shell sets the limit and becomes the JVM (exec), so pid() stays the hub's
            List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n " + fileLimit + " && exec \"$0\" \"$@\""));
            command.addAll(builder.command());
            builder.command(command);
        }
        Path log = home.resolve("hub.log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        HubProcess hub = new HubProcess(builder.start(), log,
                Integer.parseInt(props.get("hub.http.port")), Integer.parseInt(props.get("hub.management.port")));
        try {
            hub.awaitHealthy(Duration.ofSeconds(120)); // a loaded CI machine can take a minute to start a JVM hub
        } catch (Exception | Error notHealthy) {
            hub.kill(); // never leave a hub behind that the caller did not get to close
            throw notHealthy;
        }
        return hub;
    }

    /** A JVM running mainClass from the repo root on the test class path, hub.* properties as environment variables. */
    private static ProcessBuilder javaProcess(Class<?> mainClass, List<String> jvmOptions, List<String> args,
            Map<String, String> properties) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add(mainClass.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")));
        properties.forEach((key, value) -> builder.environment().put(environmentName(key), value));
        return builder;
    }

    /** hub.db.url -> HUB_DB_URL, Camel's rule for environment variable overrides. */
    public static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The test class path (surefire hides it behind a manifest jar), else this JVM's class path. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /**
     * Runs one of the hub's command-line tools (a main class) as ops would, from the repo root
     * with hub.* properties as environment variables; returns its exit code and output.
     */
    public static String[] runTool(Class<?> mainClass, Map<String, String> properties, String... args) throws Exception {
        Process tool = javaProcess(mainClass, List.of(), List.of(args), properties).redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!tool.waitFor(60, TimeUnit.SECONDS)) {
            tool.destroyForcibly();
            throw new IllegalStateException(mainClass.getSimpleName() + " did not end: " + output);
        }
        return new String[] {String.valueOf(tool.exitValue()), output};
    }

    public void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("hub process exited with " + process.exitValue() + ", see " + log);
            }
            try {
                if (management("/observe/health").statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("hub process not healthy after " + timeout + ", see " + log);
    }

    public URI callbackUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/callbacks/vod");
    }

    public HttpResponse<String> post(byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(callbackUri())
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> management(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Peak resident set size (VmHWM) in KiB, from /proc; -1 where /proc is not there. */
    public long peakRssKib() {
        return procStatus("VmHWM:");
    }

    public long rssKib() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** SIGKILL: no shutdown hook, no flushing, as a crashed node. */
    /** SIGSTOP: the process stops where it is (its committed work stays visible), until {@link #thaw} or a kill. */
    public void freeze() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: Camel's graceful shutdown; returns the exit code. */
    public int terminate(Duration timeout) throws Exception {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("hub did not stop within " + timeout);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
    }
}
