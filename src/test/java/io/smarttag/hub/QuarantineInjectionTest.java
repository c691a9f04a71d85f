package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A rejected callback cannot choose what the quarantine stores: query parameters and headers named
 * like the values the quarantine writes (platform-http turns both into message headers) change
 * nothing; the row has the real reason, the real body, source http, its own id and time.
 */
class QuarantineInjectionTest {

    /** Every name the quarantine route, the store and the old camel-sql route used, and the table's columns. */
    private static final List<String> NAMES = List.of("quarantineReason", "quarantinedBody", "source", "quarantineId",
            "now", "rawEvent", "id", "received_at", "reason", "body", "body_size", "body_sha256", "truncated",
            "stored_bytes", "bodySize", "bodySha256", "keepBytes", "maxTotalBytes", "CamelSqlQuery");

    private static final String FORGED_TIME = "2001-01-01T00:00:00Z";

    @Test
    void queryParametersCannotRewriteTheQuarantineRow() throws Exception {
        assertNotForged(true, false);
    }

    @Test
    void headersCannotRewriteTheQuarantineRow() throws Exception {
        assertNotForged(false, true);
    }

    @Test
    void bothTogetherCannotRewriteTheQuarantineRow() throws Exception {
        assertNotForged(true, true);
    }

    private void assertNotForged(boolean asQuery, boolean asHeaders) throws Exception {
        try (RunningHub hub = RunningHub.builder().start()) {
            byte[] first = "not json: first".getBytes(StandardCharsets.UTF_8);
            byte[] second = "not json: second".getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> one = postForged(hub, first, asQuery, asHeaders);
            HttpResponse<String> two = postForged(hub, second, asQuery, asHeaders);
            List<Map<String, Object>> rows = hub.query(
                    "SELECT id, source, reason, body, received_at FROM smarttag_quarantine ORDER BY received_at");
            System.out.printf("quarantine injection: 2 rejected bodies with %d names forged as%s%s: rows %s%n", NAMES.size(),
                    asQuery ? " query parameters" : "", asHeaders ? " headers" : "",
                    rows.stream().map(r -> r.get("id") + "/" + r.get("source") + "/" + r.get("reason") + "/"
                            + new String((byte[]) r.get("body"), StandardCharsets.UTF_8)).collect(Collectors.toList()));

            for (HttpResponse<String> response : List.of(one, two)) {
                assertEquals(400, response.statusCode(), response.body());
                assertTrue(response.body().contains("\"error\":\"invalid_event\""), response.body());
                assertTrue(response.body().contains("not valid JSON"), response.body());
            }
            assertEquals(2, rows.size(), "one row per rejected body, none rewritten");
            byte[][] bodies = {first, second};
            for (int i = 0; i < 2; i++) {
                Map<String, Object> row = rows.get(i);
                assertEquals("http", row.get("source"));
                assertTrue(String.valueOf(row.get("reason")).startsWith("body is not valid JSON"), String.valueOf(row.get("reason")));
                assertArrayEquals(bodies[i], (byte[]) row.get("body"), "the real body");
                assertNotEquals("forged-id", row.get("id"));
                OffsetDateTime at = ((OffsetDateTime) row.get("received_at")).withOffsetSameInstant(ZoneOffset.UTC);
                assertTrue(at.isAfter(OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5)), "the real time, not " + at);
            }
            assertEquals(BoundedQuarantineTest.sha256(first),
                    hub.query("SELECT body_sha256 FROM smarttag_quarantine WHERE body = ?", (Object) first).get(0).get("body_sha256"));
        }
    }

    private static HttpResponse<String> postForged(RunningHub hub, byte[] body, boolean asQuery, boolean asHeaders)
            throws Exception {
        String query = NAMES.stream().map(name -> name + "=" + URLEncoder.encode(forged(name), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.callbackUri() + (asQuery ? "?" + query : "")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (asHeaders) {
            NAMES.forEach(name -> request.header(name, forged(name)));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String forged(String name) {
        switch (name) {
            case "source":
                return "mns";
            case "quarantineId":
            case "id":
                return "forged-id";
            case "now":
            case "received_at":
                return FORGED_TIME;
            case "body_size":
            case "bodySize":
            case "stored_bytes":
            case "keepBytes":
                return "1";
            case "maxTotalBytes":
                return "0";
            case "truncated":
                return "true";
            case "CamelSqlQuery":
                return "UPDATE smarttag_quarantine SET reason = 'forged by CamelSqlQuery'";
            default:
                return "forged " + name;
        }
    }
}
