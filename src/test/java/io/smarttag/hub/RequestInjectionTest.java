package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Only the body is input: valid events posted with every name the routes use internally (exchange
 * variables, SQL parameters, Camel headers, column and event field names) as query parameters and
 * as request headers, aimed at another job, change nothing but what the body says. Signed and
 * unsigned, on the embedded default and on PostgreSQL.
 */
class RequestInjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String URL = "https://hub.example.com/callbacks/vod";
    private static final String KEY = "InjectKey2026";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> NUMERIC = Set.of("maxSingle", "tagCount", "attempts", "maxAttempts",
            "CamelSqlUpdateCount", "CamelHttpResponseCode", "tag_count", "item_index", "time_ms");

    @ParameterizedTest(name = "{0}, signed={1}")
    @CsvSource({"h2,false", "h2,true", "postgres,false", "postgres,true"})
    void requestValuesOtherThanTheBodyReachNothing(String database, boolean signed) throws Exception {
        RunningHub.Builder builder = RunningHub.builder()
                .property("hub.alert.storm.max-single", "1")
                .property("hub.alert.storm.window-ms", "600000");
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        if (signed) {
            builder.property("hub.callback.url", URL).property("hub.callback.auth-key", KEY);
        }
        try (RunningHub hub = builder.start()) {
            String victim = "victim-" + database + "-" + signed;
            assertEquals(200, post(hub, signed, Samples.with(Samples.seed(), "JobId", victim), Map.of()).statusCode());
            hub.awaitInboxSettled(WAIT);
            Map<String, Object> victimJob = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", victim).get(0);
            String victimInboxId = (String) hub.query("SELECT id FROM smarttag_inbox WHERE job_id = ?", victim).get(0).get("id");

            Map<String, String> injected = injectedValues(victim, victimInboxId);

            String attacker = "attacker-" + database + "-" + signed;
            byte[] attackerEvent = Samples.with(Samples.seed(), "JobId", attacker);
            HttpResponse<String> accepted = post(hub, signed, attackerEvent, injected);
            assertEquals(200, accepted.statusCode(), accepted.body());
            assertTrue(accepted.body().contains("\"status\":\"accepted\""), accepted.body());

            // three failed jobs with maxSingle=1: one alert on its own, two folded into the digest
            for (int i = 1; i <= 3; i++) {
                byte[] fail = Samples.with(Samples.fail(), "JobId", "failed-" + i + "-" + database + "-" + signed);
                assertEquals(200, post(hub, signed, fail, injected).statusCode());
            }

            // a rejected body keeps its own reason, body and source
            byte[] rejected = "{\"not\":\"an event\"}".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> refused = post(hub, signed, rejected, injected);
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("missing field EventType"), refused.body());

            hub.awaitInboxSettled(WAIT);

            assertEquals(victimJob, hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", victim).get(0),
                    "the victim's job row is untouched");
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", victim));

            Map<String, Object> job = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", attacker).get(0);
            assertEquals("success", job.get("status"));
            assertEquals(44, ((Number) job.get("tag_count")).intValue());
            assertEquals(Samples.field(attackerEvent, "MediaId"), job.get("media_id"));
            String key = new ArchiveKeys("vod-events").key("2017-03-20T07:49:17Z", Samples.field(attackerEvent, "MediaId"), attacker, "success");
            assertEquals(key, job.get("archive_key"));
            assertArrayEquals(attackerEvent, Files.readAllBytes(hub.home().resolve("archive").resolve(key)));
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", attacker));
            assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE media_id = ? AND job_id = ?",
                    Samples.field(attackerEvent, "MediaId"), attacker));

            List<Map<String, Object>> inbox = hub.query("SELECT * FROM smarttag_inbox ORDER BY received_at");
            assertEquals(5, inbox.size(), "victim, attacker and three failed jobs, nothing else");
            for (Map<String, Object> row : inbox) {
                assertEquals("http", row.get("source"));
                assertEquals("done", row.get("state"));
                assertTrue(String.valueOf(row.get("job_id")).endsWith(database + "-" + signed), String.valueOf(row.get("job_id")));
            }
            assertEquals(5, hub.count("SELECT COUNT(*) FROM smarttag_job"));

            assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_alert WHERE mode = 'single'"));
            assertEquals(2, hub.count("SELECT COUNT(*) FROM smarttag_alert WHERE mode = 'digest'"));

            List<Map<String, Object>> quarantine = hub.query("SELECT * FROM smarttag_quarantine");
            assertEquals(1, quarantine.size());
            assertEquals("http", quarantine.get(0).get("source"));
            assertTrue(String.valueOf(quarantine.get(0).get("reason")).contains("missing field EventType"));
            byte[] stored = (byte[]) quarantine.get(0).get("body");
            assertArrayEquals(rejected, stored);
        }
    }

    private static HttpResponse<String> post(RunningHub hub, boolean signed, byte[] body, Map<String, String> injected)
            throws Exception {
        String query = injected.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        URI uri = URI.create(hub.callbackUri() + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        injected.forEach(request::header);
        if (signed) {
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            request.header("X-VOD-TIMESTAMP", timestamp)
                    .header("X-VOD-SIGNATURE", CallbackAuthenticator.signature(URL, timestamp, KEY));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Every name the routes use for a variable, a header or a SQL parameter, plus Camel's and the
     * schema's names, each set to a value aimed at the victim (its JobId, its inbox id, or a number
     * that would switch something off).
     */
    static Map<String, String> injectedValues(String victimJobId, String victimInboxId) throws Exception {
        Set<String> names = new TreeSet<>();
        Pattern[] patterns = {
            Pattern.compile("name: ([A-Za-z][\\w-]*)"),
            Pattern.compile("variable\\.([A-Za-z]\\w*)"),
            Pattern.compile("header\\.([A-Za-z][\\w-]*)"),
            Pattern.compile(":#([A-Za-z]\\w*)"),
        };
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(file);
                for (Pattern pattern : patterns) {
                    Matcher m = pattern.matcher(yaml);
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        names.addAll(List.of("jobId", "JobId", "mediaId", "MediaId", "Status", "status", "EventType", "eventType",
                "Code", "Message", "EventTime", "Data", "job_id", "media_id", "tag_count", "archive_key",
                "processed_at", "received_at", "source", "state", "quarantineReason", "quarantinedBody", "quarantineId",
                "CamelSqlUpdateCount", "CamelHttpResponseCode", "CamelHttpQuery", "CamelFileName", "CamelAwsS3Key",
                "CamelAwsS3ContentType", "Subject", "To", "From", "Cc", "Bcc", "CamelMailAlternativeBody",
                "CamelMnsPoison", "CamelMnsBodyUnreadable", "CamelMnsMessageId", "CamelMnsDequeueCount",
                "CamelHttpUri", "CamelHttpPath", "CamelHttpMethod", "webhook-id", "webhook-timestamp", "webhook-signature"));
        names.removeIf(name -> name.startsWith("X-VOD") || name.equalsIgnoreCase("Content-Type"));
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            values.put(name, NUMERIC.contains(name) ? "100000"
                    : name.toLowerCase().contains("inbox") || name.equals("id") ? victimInboxId : victimJobId);
        }
        values.put("CamelSqlUpdateCount", "0");
        values.put("CamelHttpResponseCode", "500");
        values.put("archived", "true");
        values.put("CamelMnsPoison", "true");
        assertTrue(values.size() > 60, "found " + values.size() + " names: " + values.keySet());
        return values;
    }
}
