package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.TestServers;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The management port: it listens only on hub.management.host, and /observe/health shows its
 * detail (checks, database, error messages) only to a caller with the management token, whatever
 * the query string says. Status codes stay 200 UP / 503 DOWN; /observe/replay keeps working.
 */
class ManagementAccessTest {

    private static final String TOKEN = "mgmt-token-7f3a9c";
    /** Linux routes all of 127.0.0.0/8 to the loopback: a listener on .2 is not reachable on .1. */
    private static final String HOST = "127.0.0.2";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.builder()
                .property("hub.management.host", HOST)
                .property("hub.management.token", TOKEN)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static HttpResponse<String> get(RunningHub target, String host, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://" + host + ":" + target.property("hub.management.port") + path))
                .timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Camel's developer console shows routes, beans and properties: to the token only. */
    @Test
    void developerConsoleNeedsTheToken() throws Exception {
        for (String path : new String[] {"/q/dev", "/q/dev/route", "/q/dev/properties", "/q/dev/bean"}) {
            assertEquals(401, get(hub, HOST, path).statusCode(), path);
            assertEquals(401, get(hub, HOST, path, "Authorization", "Bearer not-the-token").statusCode(), path);
            assertEquals(401, get(hub, HOST, path + "?token=" + TOKEN).statusCode(), path);
        }
        HttpResponse<String> routes = get(hub, HOST, "/q/dev/route", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, routes.statusCode());
        assertTrue(routes.body().contains("Id: accept"), routes.body());
        try (RunningHub noToken = RunningHub.builder().start()) {
            assertEquals(403, get(noToken, "127.0.0.1", "/q/dev/route").statusCode(), "off without a token");
        }
    }

    @Test
    void managementPortListensOnlyOnTheConfiguredAddress() throws Exception {
        assertEquals(200, get(hub, HOST, "/observe/health").statusCode());
        assertThrows(ConnectException.class, () -> get(hub, "127.0.0.1", "/observe/health"),
                "the management port must not answer on other addresses than " + HOST);
    }

    @Test
    void withoutTheTokenHealthShowsOnlyItsStatus() throws Exception {
        for (String path : new String[] {"/observe/health", "/observe/health/live", "/observe/health/ready"}) {
            HttpResponse<String> response = get(hub, HOST, path);
            assertEquals(200, response.statusCode(), path);
            assertEquals("{\"status\":\"UP\"}", response.body(), path);
        }
        for (String query : new String[] {"?exposureLevel=full", "?exposureLevel=full&stackTrace=true&data=true", "?exposureLevel=default"}) {
            HttpResponse<String> response = get(hub, HOST, "/observe/health" + query);
            assertEquals("{\"status\":\"UP\"}", response.body(), "a query parameter must not reveal detail: " + query);
        }
        HttpResponse<String> wrong = get(hub, HOST, "/observe/health?exposureLevel=full", "Authorization", "Bearer not-the-token");
        assertEquals("{\"status\":\"UP\"}", wrong.body(), "a wrong token shows only the status");
    }

    @Test
    void withTheTokenHealthShowsEveryCheck() throws Exception {
        HttpResponse<String> response = get(hub, HOST, "/observe/health", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("{\"status\":\"UP\",\"checks\":["), response.body());
        assertTrue(response.body().contains("\"name\":\"database\""), response.body());
        assertTrue(response.body().contains("\"name\":\"route:source-http\"") || response.body().contains("routes"), response.body());
    }

    @Test
    void replayEndpointStillAnswersOnTheManagementPort() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://" + HOST + ":" + hub.property("hub.management.port") + "/observe/replay?job=none"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"replayed\":0}", response.body());
    }

    @Test
    void aDatabaseOutageIsDegradedNotOutOfServiceWhileTheSpoolTakesCallbacks() throws Exception {
        RunningHub.Builder builder = RunningHub.builder().onPostgres()
                .property("hub.db.connect-timeout-ms", "1000")
                .property("hub.management.token", TOKEN);
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
        try (RunningHub down = builder.start()) {
            HttpResponse<String> plain = get(down, "127.0.0.1", "/observe/health");
            assertEquals(200, plain.statusCode(), plain.body());
            assertEquals("{\"status\":\"DEGRADED\"}", plain.body());
            assertEquals(200, get(down, "127.0.0.1", "/observe/health/ready").statusCode(), "callbacks still go to the spool");
            assertEquals(200, get(down, "127.0.0.1", "/observe/health/live").statusCode(), "the process itself is alive");
            assertEquals(200, down.post(io.smarttag.hub.testsupport.Samples.seed()).statusCode(), "and a callback is spooled");
            HttpResponse<String> detail = get(down, "127.0.0.1", "/observe/health", "Authorization", "Bearer " + TOKEN);
            assertEquals(200, detail.statusCode());
            assertTrue(detail.body().contains("\"name\":\"database\",\"status\":\"DOWN\""), detail.body());
            assertTrue(detail.body().contains("\"name\":\"accept\",\"status\":\"UP\",\"message\":\"degraded: the database is down"), detail.body());
            assertTrue(detail.body().contains("\"name\":\"spool\",\"status\":\"UP\""), detail.body());
            assertFalse(plain.body().contains("database"), plain.body());
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestServers.postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
