package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.LogCapture;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A misspelled destination option fails the start with one line naming it, the options of its type and
 * the closest one, whether it comes from properties or from an environment variable; a destination
 * configured but not in hub.destinations is one WARN line.
 */
class DestinationOptionsCheckTest {

    private static final String LISTED = "database,archive,alert,indexer";

    /** Per built-in type: the key as mistyped, the option it should have been, part of that type's option list. */
    static Stream<Arguments> misspelled() {
        return Stream.of(
                Arguments.of("database", "hub.destination.database.wehn", "when", "options of type database: none of its own"),
                Arguments.of("archive", "hub.destination.archive.prefx", "prefix", "bucket, prefix, dir, s3.endpoint"),
                Arguments.of("alert", "hub.destination.alert.webhook.ulr", "webhook.url", "channels, from, to, outbox-dir, webhook.url"),
                Arguments.of("webhook", "hub.destination.indexer.secrett", "secret", "url, secret, timeout-ms"),
                Arguments.of("webhook default", "hub.webhook.secrett", "secret", "the options url, secret, timeout-ms"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("misspelled")
    void aMisspelledOptionInPropertiesFailsTheStartNamingItAndTheRightOne(String type, String key, String meant, String listed)
            throws Exception {
        Map<String, String> properties = webhookIndexer();
        properties.put(key, "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0");
        RunningHub.Builder builder = RunningHub.builder();
        properties.forEach(builder::property);
        Exception refused = assertThrows(Exception.class, () -> builder.start().close(), "the hub started with " + key);
        String line = rootMessage(refused);
        assertTrue(line.startsWith(key + ": "), line);
        assertTrue(line.contains("did you mean `" + meant + "`?"), line);
        assertTrue(line.contains(listed), line);
        assertFalse(line.contains("\n"), "one line: " + line);
        assertFalse(line.contains("whsec_"), "the value, maybe a secret, is not in the message: " + line);
    }

    /** The same mistakes as environment variables, in a hub started as ops start it (a JVM of its own). */
    static Stream<Arguments> misspelledVariables() {
        return Stream.of(
                Arguments.of("HUB_DESTINATION_DATABASE_WEHN", "when", "HUB_DESTINATION_DATABASE_WHEN"),
                Arguments.of("HUB_DESTINATION_ARCHIVE_S3_ENDPIONT", "s3.endpoint", "HUB_DESTINATION_ARCHIVE_S3_ENDPOINT"),
                Arguments.of("HUB_DESTINATION_ALERT_OUTBOX_DIRS", "outbox-dir", "HUB_DESTINATION_ALERT_OUTBOX_DIR"),
                Arguments.of("HUB_DESTINATION_INDEXER_TIMEOUT_M", "timeout-ms", "HUB_DESTINATION_INDEXER_TIMEOUT_MS"),
                Arguments.of("HUB_WEBHOOK_SECRETT", "secret", "HUB_WEBHOOK_SECRET"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misspelledVariables")
    void aMisspelledOptionInAnEnvironmentVariableFailsTheStartNamingIt(String variable, String meant, String right) throws Exception {
        Path home = Files.createTempDirectory("smarttag-options-env");
        Map<String, String> env = processDefaults(home);
        webhookIndexer().forEach((key, value) -> env.put(HubProcess.environmentName(key), value));
        env.put(variable, "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0");
        String[] run = HubProcess.runTool(HubMain.class, env);
        assertNotEquals("0", run[0], run[1]);
        String line = run[1].lines().filter(l -> l.contains(variable + " (environment variable): ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line names " + variable + ":\n" + run[1]));
        assertTrue(line.contains("did you mean `" + meant + "`, " + right + "?"), line);
        assertTrue(line.contains(variable.startsWith("HUB_DESTINATION_") ? "of every type: type, when" : "takes the options url, secret"), line);
        assertFalse(run[1].contains("whsec_"), run[1]);
    }

    @Test
    void correctlySpelledOptionsInEnvironmentVariablesStartTheHub() throws Exception {
        // the ambiguous ones: a dash in an option (timeout-ms), a dot in one (webhook.url), a dash in a name (data-lake)
        Path home = Files.createTempDirectory("smarttag-options-env-ok");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("hub.destinations", "database,archive,alert,data-lake");
        env.put("HUB_DESTINATION_DATA_LAKE_TYPE", "webhook");
        env.put("HUB_DESTINATION_DATA_LAKE_URL", "http://127.0.0.1:9/lake");
        env.put("HUB_DESTINATION_DATA_LAKE_TIMEOUT_MS", "2000");
        env.put("HUB_DESTINATION_ALERT_WEBHOOK_FORMAT", "slack");
        env.put("HUB_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/chat");
        env.put("HUB_ALERT_SMTP_TIMEOUT_MS", "3000");
        env.put("HUB_DATABASE_BATCH_MAX", "8");
        try (HubProcess hub = HubProcess.start(home, env)) {
            assertEquals(200, hub.post(Samples.seed()).statusCode());
        }
        String log = Files.readString(home.resolve("hub.log"));
        assertFalse(log.contains("is not in hub.destinations"), log);
    }

    @Test
    void aDestinationConfiguredButNotListedIsOneWarnLine() throws Exception {
        try (LogCapture log = new LogCapture();
             RunningHub hub = RunningHub.builder()
                     .property("hub.destinations", "database,archive")
                     .property("hub.destination.staging.type", "webhook")
                     .property("hub.destination.staging.url", "http://127.0.0.1:9/staging")
                     .property("hub.destination.staging.secret", "whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0")
                     .start()) {
            assertEquals(200, hub.post(Samples.seed()).statusCode());
            List<String> warnings = log.lines().stream().filter(l -> l.contains(" WARN ") && l.contains("hub.destinations")).toList();
            assertEquals(1, warnings.size(), String.join("\n", warnings));
            String warning = warnings.get(0);
            assertTrue(warning.contains("destination staging is configured (hub.destination.staging.secret, hub.destination.staging.type,"
                    + " hub.destination.staging.url) but is not in hub.destinations (database,archive)"), warning);
            assertFalse(warning.contains("whsec_"), warning);
            // alert is not listed either: its shipped `when` line in application.properties is no reason to warn
            assertFalse(log.lines().stream().anyMatch(l -> l.contains("destination alert is configured")), "alert's default when");
        }
    }

    @Test
    void aMistypedTypeIsRefusedWithTheTypesThereAre() throws Exception {
        Map<String, String> properties = webhookIndexer();
        properties.put("hub.destination.indexer.type", "webhok");
        RunningHub.Builder builder = RunningHub.builder();
        properties.forEach(builder::property);
        String line = rootMessage(assertThrows(Exception.class, () -> builder.start().close()));
        assertTrue(line.contains("destination indexer has type 'webhok' but there is no routes/destination-webhok.yaml"
                + " (did you mean `webhook`?); types: alert, archive, database, kamelet, sql, webhook"), line);
    }

    /** kamelet (its options are the named kamelet's declared properties) and sql, which need destinations of their own. */
    static Stream<Arguments> misspelledOfOtherTypes() {
        return Stream.of(
                Arguments.of("hub.destination.stream.loggerNme", "loggerName", "kamelet, ", Map.of(
                        "hub.destinations", "database,archive,alert,stream",
                        "hub.destination.stream.type", "kamelet",
                        "hub.destination.stream.kamelet", "log-sink")),
                Arguments.of("hub.destination.warehouse.tag-statment", "tag-statement", "url, user, password", Map.of(
                        "hub.destinations", "database,archive,alert,warehouse",
                        "hub.destination.warehouse.type", "sql",
                        "hub.destination.warehouse.url", "jdbc:h2:mem:warehouse",
                        "hub.destination.warehouse.job-statement", "INSERT INTO jobs (job_id) VALUES (:?jobId)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misspelledOfOtherTypes")
    void aMisspelledKameletOrSqlOptionFailsTheStartNamingTheRightOne(String key, String meant, String listed, Map<String, String> config)
            throws Exception {
        RunningHub.Builder builder = RunningHub.builder();
        config.forEach(builder::property);
        builder.property(key, "INFO");
        String line = rootMessage(assertThrows(Exception.class, () -> builder.start().close(), "the hub started with " + key));
        assertTrue(line.startsWith(key + ": "), line);
        assertTrue(line.contains("did you mean `" + meant + "`?"), line);
        assertTrue(line.contains(listed), line);
        assertFalse(line.contains("\n"), "one line: " + line);
    }

    @Test
    void aMisspelledKameletPropertyInAnEnvironmentVariableFailsTheStartNamingIt() throws Exception {
        Path home = Files.createTempDirectory("smarttag-options-kamelet-env");
        Map<String, String> env = processDefaults(home);
        env.put("HUB_DESTINATIONS", "database,archive,alert,stream");
        env.put("HUB_DESTINATION_STREAM_TYPE", "kamelet");
        env.put("HUB_DESTINATION_STREAM_KAMELET", "log-sink");
        env.put("HUB_DESTINATION_STREAM_LOGGERNME", "smarttag");
        String[] run = HubProcess.runTool(HubMain.class, env);
        assertNotEquals("0", run[0], run[1]);
        String line = run[1].lines().filter(l -> l.contains("HUB_DESTINATION_STREAM_LOGGERNME (environment variable): ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line names the variable:\n" + run[1]));
        assertTrue(line.contains("did you mean `loggerName`"), line);
    }

    private static Map<String, String> webhookIndexer() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("hub.destinations", LISTED);
        properties.put("hub.destination.indexer.type", "webhook");
        properties.put("hub.destination.indexer.url", "http://127.0.0.1:9/indexer");
        return properties;
    }

    /** A child hub's own ports and folders (the start must fail before it uses them, but never on ./data). */
    private static Map<String, String> processDefaults(Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HUB_HTTP_PORT", String.valueOf(TestServers.freePort()));
        env.put("HUB_MANAGEMENT_PORT", String.valueOf(TestServers.freePort()));
        env.put("HUB_DB_URL", "jdbc:h2:file:" + home.resolve("db/smarttag") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        env.put("HUB_ARCHIVE_DIR", home.resolve("archive").toString());
        env.put("HUB_ALERT_OUTBOX_DIR", home.resolve("outbox").toString());
        env.put("HUB_QUARANTINE_DIR", home.resolve("quarantine").toString());
        env.put("HUB_SPOOL_DIR", home.resolve("spool").toString());
        return env;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
