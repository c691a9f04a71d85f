package io.smarttag.hub;

import io.smarttag.hub.check.CheckCommand;
import io.smarttag.hub.config.HubConfiguration;
import io.smarttag.hub.http.CallbackHttpServerFactory;
import io.smarttag.hub.setup.SetupCommand;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.camel.main.Main;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.apache.logging.log4j.LogManager;
import org.slf4j.LoggerFactory;

/**
 * Starts the hub: Camel Main with the YAML routes in {@code routes/} and the top-level
 * {@code application.properties}, both read from the working directory so ops can change them
 * without rebuilding. Every property can be overridden by an environment variable
 * ({@code hub.db.url} by {@code HUB_DB_URL}). With {@code setup ...} or {@code check ...} as
 * arguments it runs that command instead (SetupCommand, CheckCommand) and exits.
 */
public final class HubMain {

    /** Longest wait on SIGTERM for Camel to stop before the log is flushed anyway: above any hub.shutdown-timeout-seconds in use. */
    private static final long STOP_WAIT_MS = 120_000;

    private HubMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && List.of("setup", "check", "backfill").contains(args[0])) {
            // the one-shot commands: wire VOD to the hub, test a running hub end to end, or ask it for a
            // backfill; their standard output is their result (environment lines, the report), so logs
            // go to stderr, written as they come (a command exits at once: no async logging)
            System.setProperty("hub.log.target", "SYSTEM_ERR");
            List<String> rest = List.of(args).subList(1, args.length);
            System.exit(switch (args[0]) {
                case "setup" -> new SetupCommand(System.getenv(), System.out, System.err).run(rest);
                case "check" -> new CheckCommand(System.getenv(), System.out, System.err).run(rest);
                default -> io.smarttag.hub.tools.BackfillCommand.run(rest.toArray(String[]::new));
            });
        }
        logging();
        String training = System.getProperty(TrainingRun.PROPERTY);
        if (training != null && !training.isBlank()) {
            // the training run logs JSON lines, so that the archive holds the json appender's classes
            // as well as the text one's (which log4j2.properties always builds)
            System.setProperty("hub.log.format", "json");
        }
        chooseLogFormat();
        if (training != null && !training.isBlank()) {
            // mvn package: start, deliver two events, stop, so the JVM can write the CDS archive (TrainingRun)
            TrainingRun.run(Path.of(training));
            LogManager.shutdown();
            System.exit(0);
        }
        Main main = new Main();
        configure(main);
        stopOnSigterm(main, Thread.currentThread());
        main.run(args);
        LoggerFactory.getLogger(HubMain.class).info("smarttag-hub stopped");
    }

    /**
     * The hub writes its log lines on the thread that logs them (log4j's default, synchronous
     * loggers). Log4j's async loggers (-Dlog4j2.contextSelector=org.apache.logging.log4j.core.async.
     * AsyncLoggerContextSelector, still honoured) cost the process about twice the CPU per line in
     * the hub: handing each line to the writer thread and waking it (issue 21 profile,
     * docs/operations.md "Logs"), and lose what is queued when the JVM exits on an OutOfMemoryError.
     * Log4j's own shutdown hook is off: it would run alongside Camel's shutdown and drop the lines
     * logged after it (see {@link #stopOnSigterm}).
     */
    static void logging() {
        System.setProperty("log4j2.shutdownHookEnabled", "false");
    }

    /**
     * One shutdown hook in place of Camel's and log4j's, which the JVM would run side by side: it
     * stops Camel (as Camel's hook does: the main thread stops the routes and returns from run),
     * waits for the main thread to end, and only then stops log4j, which writes every line still
     * queued. The JVM ends when this hook returns, so nothing logged before is lost.
     */
    private static void stopOnSigterm(Main main, Thread mainThread) {
        // Camel's own strategy would add its hook (DefaultMainShutdownStrategy), this one adds none
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (mainThread.isAlive()) {
                LoggerFactory.getLogger(HubMain.class).info("stop signal received, stopping (pid {})", ProcessHandle.current().pid());
            }
            main.completed();
            try {
                mainThread.join(STOP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LogManager.shutdown();
        }, "hub-stop"));
    }

    /**
     * hub.log.format (text or json) has to be known before the first logger exists, that is before
     * Camel Main's properties are read: it is taken here from HUB_LOG_FORMAT, -Dhub.log.format or
     * application.properties, in that order, and handed to log4j2.properties as a system property.
     */
    static void chooseLogFormat() throws IOException {
        String format = System.getenv("HUB_LOG_FORMAT");
        if (format == null || format.isBlank()) {
            format = System.getProperty("hub.log.format");
        }
        if ((format == null || format.isBlank()) && Files.exists(Path.of("application.properties"))) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
                file.load(in);
            }
            format = file.getProperty("hub.log.format");
        }
        format = format == null || format.isBlank() ? "text" : format.trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("hub.log.format must be text or json, not '" + format + "'");
            System.exit(2);
        }
        System.setProperty("hub.log.format", format);
        if (format.equals("json") && System.getProperty("log4j2.configurationFile") == null) {
            // the json appender only when it is used (log4j2-json.properties says why)
            System.setProperty("log4j2.configurationFile", "classpath:log4j2.properties,classpath:log4j2-json.properties");
        }
    }

    /** Shared by {@link #main} and the tests, so tests start the hub exactly as production does. */
    public static void configure(Main main) {
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.configure().addConfiguration(HubConfiguration.class);
        // builds the callback port's server (camel.server.*) with the hub.http.* connection limits
        main.bind("callbackHttpServerFactory", new CallbackHttpServerFactory());
    }
}
