package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GET /observe/metrics on the management port: Prometheus text with Camel's route metrics, JVM
 * metrics and the hub's own smarttag_* metrics under the names docs/operations.md and the alert rules in
 * deploy/prometheus use, counting what really happened to the events posted here.
 */
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void metricsCountWhatHappenedToTheEvents(String database) throws Exception {
        RunningHub.Builder builder = RunningHub.builder()
                .property("hub.metrics.backlog-refresh-ms", "0")
                .property("hub.retry.max-attempts", "2")
                .property("hub.retry.initial-delay-ms", "100")
                .property("hub.http.max-body-bytes", "200000");
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        try (RunningHub hub = builder.start()) {
            try (Connection c = hub.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE smarttag_tag ADD CONSTRAINT metrics_no_poison CHECK (tag <> 'poison')");
            }
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "m-1")).statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "m-1")).statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.fail(), "JobId", "m-fail")).statusCode());
            assertEquals(400, hub.post("{not json").statusCode());
            assertEquals(400, hub.post("{\"EventType\":\"x\"}").statusCode());
            assertEquals(413, hub.post(new byte[300_000]).statusCode());
            assertEquals(200, hub.post(Samples.successWithData("m-parks", "{\"Keyword\":[{\"Tag\":\"poison\"}]}")).statusCode());
            hub.awaitInboxSettled(WAIT);

            String text = scrape(hub);
            assertEquals(7, value(text, "smarttag_events_received_total", "source", "http"), "six through the route, one refused by the body limit");
            assertEquals(3, value(text, "smarttag_events_accepted_total", "source", "http"));
            assertEquals(1, value(text, "smarttag_events_duplicate_total", "source", "http"));
            assertEquals(1, value(text, "smarttag_events_rejected_total", "source", "http", "reason", "invalid_json"));
            assertEquals(1, value(text, "smarttag_events_rejected_total", "source", "http", "reason", "invalid_event"));
            assertEquals(1, value(text, "smarttag_events_rejected_total", "source", "http", "reason", "too_large"));
            assertEquals(2, value(text, "smarttag_quarantine_total"));
            assertEquals(0, value(text, "smarttag_quarantine_dropped_total"));
            assertTrue(value(text, "smarttag_quarantine_stored_bytes") >= "{not json".length());
            assertEquals(2, value(text, "smarttag_deliveries_total", "destination", "database", "outcome", "ok"));
            assertEquals(2, value(text, "smarttag_deliveries_total", "destination", "database", "outcome", "failed"));
            assertEquals(1, value(text, "smarttag_deliveries_total", "destination", "database", "outcome", "parked"));
            assertEquals(3, value(text, "smarttag_deliveries_total", "destination", "archive", "outcome", "ok"));
            assertEquals(1, value(text, "smarttag_deliveries_total", "destination", "alert", "outcome", "ok"));
            assertEquals(3, value(text, "smarttag_delivery_seconds_count", "destination", "archive"));
            assertTrue(text.contains("smarttag_delivery_seconds_bucket{destination=\"database\""), "a histogram");
            assertEquals(1, value(text, "smarttag_alerts_total", "channel", "email", "kind", "single"));
            assertEquals(1, value(text, "smarttag_alerts_total", "channel", "email", "kind", "parked"));
            assertEquals(1, value(text, "smarttag_backlog_events", "destination", "database", "state", "parked"));
            assertEquals(0, value(text, "smarttag_backlog_events", "destination", "archive", "state", "parked"));
            assertEquals(0, value(text, "smarttag_backlog_events", "destination", "database", "state", "pending"));
            assertEquals(0, value(text, "smarttag_backlog_oldest_seconds", "destination", "database"));
            assertEquals(0, value(text, "smarttag_spool_files"));
            assertEquals(7, value(text, "smarttag_callback_request_seconds_count"));
            assertTrue(text.contains("smarttag_callback_request_seconds_bucket{"), "a histogram");
            assertTrue(value(text, "jvm_memory_used_bytes") > 0, "JVM metrics");
            assertTrue(text.contains("camel_exchanges_total{") && text.contains("routeId=\"source-http\""), "Camel's route metrics");
            assertTrue(text.contains("routeId=\"destination-archive\""), "of the destination routes too");
            for (String excluded : List.of("accept", "route-event", "deliver")) {
                assertFalse(text.contains("routeId=\"" + excluded + "\""), "not of " + excluded + " (hub.metrics.routes-excluded)");
            }
            assertEveryNameUsedByTheAlertsAndTheDashboardIsServed(text);
        }
    }

    /** Alert rules and the dashboard that name a metric the hub does not serve would stay silent for ever. */
    private static void assertEveryNameUsedByTheAlertsAndTheDashboardIsServed(String text) throws Exception {
        Set<String> served = new TreeSet<>();
        text.lines().map(SAMPLE::matcher).filter(Matcher::find).forEach(m -> served.add(m.group(1)));
        for (Path file : List.of(Path.of("deploy/prometheus/alerts.yaml"), Path.of("deploy/grafana/smarttag-hub-dashboard.json"))) {
            Matcher names = Pattern.compile("\\b((?:smarttag|camel|jvm)_[a-z_]+)").matcher(Files.readString(file));
            int seen = 0;
            while (names.find()) {
                String name = names.group(1);
                // the MNS gauge exists only where an MNS queue is configured: MnsQueueSourceTest checks it
                if (name.equals("smarttag_mns_consumer_up")) {
                    continue;
                }
                seen++;
                assertTrue(served.contains(name), file + " uses " + name + ", which /observe/metrics does not serve");
            }
            assertTrue(seen > 5, file + ": " + seen);
        }
    }

    /** Counters exist at 0 before their first event; a callback refused by the allow-list is counted too. */
    @org.junit.jupiter.api.Test
    void countersStartAtZeroAndRefusedSourcesAreCounted() throws Exception {
        try (RunningHub hub = RunningHub.builder().property("hub.callback.allowed-cidrs", "10.0.0.0/8").start()) {
            String fresh = scrape(hub);
            for (String sample : List.of("smarttag_events_spooled_total 0.0", "smarttag_quarantine_total 0.0",
                    "smarttag_events_received_total{source=\"mns\"} 0.0",
                    "smarttag_events_rejected_total{reason=\"forbidden\",source=\"http\"} 0.0",
                    "smarttag_deliveries_total{destination=\"archive\",outcome=\"parked\"} 0.0",
                    "smarttag_alerts_total{channel=\"email\",kind=\"digest\"} 0.0")) {
                assertTrue(fresh.contains(sample), "missing " + sample);
            }
            assertEquals(403, hub.post(Samples.seed()).statusCode());
            assertEquals(403, hub.post(Samples.seed()).statusCode());
            String text = scrape(hub);
            assertEquals(2, value(text, "smarttag_events_rejected_total", "source", "http", "reason", "forbidden"));
            assertEquals(2, value(text, "smarttag_events_received_total", "source", "http"));
            assertEquals(0, value(text, "smarttag_events_accepted_total", "source", "http"));
        }
    }

    private static String scrape(RunningHub hub) throws Exception {
        HttpResponse<String> response = hub.management("/observe/metrics");
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** The sum of the samples of a metric whose labels include the given ones. */
    static double value(String text, String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        double sum = 0;
        boolean found = false;
        for (String line : text.lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> have = new HashMap<>();
            if (m.group(3) != null) {
                for (Matcher l = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(m.group(3)); l.find(); ) {
                    have.put(l.group(1), l.group(2));
                }
            }
            if (have.entrySet().containsAll(wanted.entrySet())) {
                sum += Double.parseDouble(m.group(4));
                found = true;
            }
        }
        assertTrue(found || name.startsWith("smarttag_backlog") || name.equals("smarttag_spool_files"),
                "no sample of " + name + " " + wanted);
        return sum;
    }
}
