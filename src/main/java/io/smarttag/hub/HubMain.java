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

/**
 * Starts the hub: Camel Main with the YAML routes in {@code routes/} and the top-level
 * {@code application.properties}, both read from the working directory so ops can change them
 * without rebuilding. Every property can be overridden by an environment variable
 * ({@code hub.db.url} by {@code HUB_DB_URL}). With {@code setup ...} or {@code check ...} as
 * arguments it runs that command instead (SetupCommand, CheckCommand) and exits.
 */
public final class HubMain {

    private HubMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && ("setup".equals(args[0]) || "check".equals(args[0]))) {
            // the one-shot commands: wire VOD to the hub, or test a running hub end to end; their
            // standard output is their result (environment lines, the report), so logs go to stderr
            System.setProperty("hub.log.target", "SYSTEM_ERR");
            List<String> rest = List.of(args).subList(1, args.length);
            System.exit("setup".equals(args[0])
                    ? new SetupCommand(System.getenv(), System.out, System.err).run(rest)
                    : new CheckCommand(System.getenv(), System.out, System.err).run(rest));
        }
        chooseLogFormat();
        String training = System.getProperty(TrainingRun.PROPERTY);
        if (training != null && !training.isBlank()) {
            // mvn package: start, deliver two events, stop, so the JVM can write the CDS archive (TrainingRun)
            TrainingRun.run(Path.of(training));
            System.exit(0);
        }
        Main main = new Main();
        configure(main);
        main.run(args);
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
    }

    /** Shared by {@link #main} and the tests, so tests start the hub exactly as production does. */
    public static void configure(Main main) {
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.configure().addConfiguration(HubConfiguration.class);
        // builds the callback port's server (camel.server.*) with the hub.http.* connection limits
        main.bind("callbackHttpServerFactory", new CallbackHttpServerFactory());
    }
}
