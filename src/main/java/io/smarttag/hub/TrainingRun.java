package io.smarttag.hub;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * A short run of the hub that starts it, posts one success and one failed event to its own
 * callback port, waits until both are delivered (rows, archive file, .eml alert) and stops. It
 * exists to record the classes a real start and a real event load, for the class-data-sharing
 * archive that {@code mvn package} writes ({@code -XX:ArchiveClassesAtExit=target/smarttag-hub.jsa},
 * see pom.xml and the README, "Running on a small box").
 *
 * <p>The archive goes to S3 and an MNS queue source runs, both against a stand-in on 127.0.0.1 in
 * this JVM (TrainingStandIn, on plain sockets: every S3 PUT answered 200, every MNS receive "no message"), so
 * that the S3 SDK, the MNS SDK and their HTTP clients are in the archive too: without them a hub
 * with a bucket or a queue loaded some 1,700 classes from the jars at start (issue 21, ready in 2 s).
 * PostgreSQL has no such stand-in: the classes of its JDBC driver are loaded (not initialised) by
 * name from the driver's jar instead, some 170 of which a start on PostgreSQL uses.
 *
 * <p>Started by {@code -Dhub.training-run=<folder>} (HubMain). It is safe next to a running hub and
 * never touches the user's data: all ports are free ports on 127.0.0.1, the H2 database, outbox,
 * spool and quarantine are under the given folder (emptied first), and the settings that could
 * reach outside (database URL, bucket and S3 endpoint, SMTP host, MNS queue and endpoint, webhook
 * destinations, callback key) are overridden, whatever application.properties says; HUB_*
 * environment variables are ignored in this run.
 */
final class TrainingRun {

    static final String PROPERTY = "hub.training-run";

    private static final String SUCCESS = "{\"EventTime\":\"2017-03-20T07:49:17Z\",\"EventType\":\"AIVideoTagComplete\","
            + "\"JobId\":\"training-success\",\"MediaId\":\"training-media\",\"Status\":\"success\",\"Code\":\"0\","
            + "\"Message\":\"OK\",\"Data\":\"{\\\"Keyword\\\":[{\\\"Times\\\":[\\\"3260\\\",\\\"4000\\\"],\\\"Tag\\\":\\\"Cushion\\\"}],"
            + "\\\"Person\\\":[{\\\"Times\\\":[\\\"10760\\\"],\\\"Tag\\\":\\\"Sam\\\",\\\"FaceUrl\\\":\\\"http://test.com/f.jpg\\\"}],"
            + "\\\"Location\\\":[{\\\"Tag\\\":\\\"Asia\\\"}]}\"}";
    private static final String FAIL = "{\"EventTime\":\"2017-03-20T08:02:11Z\",\"EventType\":\"AIVideoTagComplete\","
            + "\"JobId\":\"training-fail\",\"MediaId\":\"training-media\",\"Status\":\"fail\",\"Code\":\"InternalError\","
            + "\"Message\":\"training\",\"Data\":\"{}\"}";

    private TrainingRun() {
    }

    static void run(Path home) throws Exception {
        deleteTree(home);
        Files.createDirectories(home);
        int httpPort = freePort();
        int managementPort = freePort();
        TrainingStandIn standIn = new TrainingStandIn();
        String standInUrl = standIn.url();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("hub.http.port", String.valueOf(httpPort));
        overrides.put("camel.server.host", "127.0.0.1");
        overrides.put("hub.management.port", String.valueOf(managementPort));
        overrides.put("hub.management.host", "127.0.0.1");
        overrides.put("hub.db.url", "jdbc:h2:file:" + home.resolve("db/smarttag").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000");
        overrides.put("hub.db.user", "sa");
        overrides.put("hub.db.password", "");
        overrides.put("hub.destinations", "database,archive,alert");
        overrides.put("hub.archive.bucket", "training");
        overrides.put("hub.archive.dir", home.resolve("archive").toString());
        overrides.put("hub.archive.s3.endpoint", standInUrl);
        overrides.put("hub.archive.s3.region", "us-east-1");
        overrides.put("hub.archive.s3.path-style", "true");
        overrides.put("hub.archive.s3.access-key", "training");
        overrides.put("hub.archive.s3.secret-key", "training");
        overrides.put("hub.alert.channels", "email");
        overrides.put("hub.alert.smtp.host", "");
        overrides.put("hub.alert.outbox-dir", home.resolve("outbox").toString());
        overrides.put("hub.spool.dir", home.resolve("spool").toString());
        overrides.put("hub.quarantine.dir", home.resolve("quarantine").toString());
        overrides.put("hub.mns.queue", "training");
        overrides.put("hub.mns.account-endpoint", standInUrl);
        overrides.put("hub.mns.region", "cn-shanghai");
        overrides.put("hub.mns.access-key-id", "training");
        overrides.put("hub.mns.access-key-secret", "training");
        overrides.put("hub.mns.security-token", "");
        overrides.put("hub.mns.wait-seconds", "1");
        overrides.put("hub.callback.auth-key", "");
        overrides.put("hub.callback.auth-key-previous", "");
        overrides.put("hub.callback.allowed-cidrs", "");
        overrides.put("hub.shutdown.drain-ms", "0");
        overrides.put("hub.shutdown-timeout-seconds", "10");

        Main main = new Main();
        HubMain.configure(main);
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                // HUB_* variables would win over the overrides: the training run ignores them all
                ((PropertiesComponent) configuring.getCamelContext().getPropertiesComponent())
                        .setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
            }

            @Override
            public void afterStart(BaseMainSupport started) {
                Thread events = new Thread(() -> {
                    try {
                        postAndAwait(httpPort, home, standIn);
                    } catch (Exception e) {
                        System.err.println("training run: " + e);
                    } finally {
                        main.completed();
                    }
                }, "training-run");
                events.setDaemon(true);
                events.start();
            }
        });
        try {
            main.run();
        } finally {
            standIn.close();
        }
        loadClassesOf(org.postgresql.Driver.class);
    }

    /** Loads every class in the jar of {@code anchor}, without initialising any; those that do not load are left out. */
    private static void loadClassesOf(Class<?> anchor) throws Exception {
        ClassLoader loader = anchor.getClassLoader();
        Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        int loaded = 0;
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            for (var entries = file.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                try {
                    Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError optional) {
                    // a class of an optional dependency (OSGi, Waffle, ...): not used by the hub
                }
            }
        }
        System.out.println("training run: " + loaded + " classes of " + jar.getFileName() + " loaded");
    }

    /** Posts both events and waits (at most 20 s) until the archive (S3 stand-in) holds both and the outbox the alert. */
    private static void postAndAwait(int httpPort, Path home, TrainingStandIn archive) throws Exception {
        for (String body : new String[] {SUCCESS, FAIL}) {
            int status = TrainingStandIn.post(httpPort, "/callbacks/vod", body);
            if (status != 200) {
                throw new IllegalStateException("callback answered " + status);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (archive.archived() >= 2 && count(home.resolve("outbox"), ".eml") >= 1) {
                Thread.sleep(200); // the finish of the last delivery
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("events not delivered within 20 s");
    }

    private static long count(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(suffix)).count();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
