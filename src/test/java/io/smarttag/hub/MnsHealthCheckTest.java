package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MNS consumer in the hub's health check: after hub.mns.health-failure-threshold receives
 * failed in a row it is reported DOWN in /observe/health with the MNS error code (never the
 * secret), while readiness and liveness stay UP so HTTP callbacks are still accepted; after a
 * successful receive it is UP again by itself.
 */
class MnsHealthCheckTest {

    private static final String AK = "mns-test-ak";
    private static final String SECRET = "mns-test-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "mns-health-token";
    private static MnsTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MnsTestServer(AK, SECRET);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void healthyServer() {
        server.setFailing(false);
    }

    private static RunningHub.Builder hubOn(String queue) {
        return RunningHub.builder()
                .property("hub.mns.queue", queue)
                .property("hub.mns.account-endpoint", server.endpoint())
                .property("hub.mns.region", "cn-shanghai")
                .property("hub.mns.access-key-id", AK)
                .property("hub.mns.access-key-secret", SECRET)
                .property("hub.mns.wait-seconds", "1")
                .property("hub.mns.backoff-initial-ms", "200")
                .property("hub.mns.backoff-max-ms", "1000")
                .property("hub.management.token", TOKEN);
    }

    /** Health detail (the checks) is shown to the management token only. */
    private static HttpResponse<String> health(RunningHub hub, String path) throws Exception {
        return hub.management(path, "Authorization", "Bearer " + TOKEN);
    }

    @Test
    void wrongSecretIsReportedDownWithTheErrorCodeWhileCallbacksAreStillAccepted() throws Exception {
        try (RunningHub hub = hubOn("vod-health-auth").property("hub.mns.access-key-secret", "wrong-secret-Xy7").start()) {
            JsonNode check = awaitCheck(hub, "mns-vod-health-auth", "DOWN", Duration.ofSeconds(20));
            HttpResponse<String> health = health(hub, "/observe/health");
            System.out.printf("wrong secret: /observe/health %d %s%n", health.statusCode(), health.body());
            assertEquals("DOWN", check.path("status").asText(), health.body());
            assertTrue(check.path("message").asText().contains("SignatureDoesNotMatch"), health.body());
            assertEquals(200, health.statusCode(), "the instance is still in service");
            assertTrue(health.body().startsWith("{\"status\":\"DEGRADED\""), health.body());
            assertTrue(hub.management("/observe/metrics").body().contains("smarttag_mns_consumer_up{queue=\"vod-health-auth\"} 0.0"),
                    "the MNS gauge for the alert rule is 0");
            assertFalse(health.body().contains("wrong-secret-Xy7"), "never the secret");
            assertFalse(health(hub, "/observe/health?data=true").body().contains("wrong-secret-Xy7"), "never the secret");

            // A queue source that is down does not take the HTTP source down with it.
            assertEquals(200, hub.management("/observe/health/ready").statusCode(), hub.management("/observe/health/ready").body());
            assertEquals(200, hub.management("/observe/health/live").statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "http-while-mns-down")).statusCode());
        }
    }

    @Test
    void serverErrorsTurnItDownAndItIsUpAgainByItselfAfterASuccessfulReceive() throws Exception {
        try (RunningHub hub = hubOn("vod-health-outage").start()) {
            awaitCheck(hub, "mns-vod-health-outage", "UP", Duration.ofSeconds(20));
            assertEquals(200, hub.management("/observe/health").statusCode());

            server.setFailing(true);
            long failed = System.nanoTime();
            JsonNode down = awaitCheck(hub, "mns-vod-health-outage", "DOWN", Duration.ofSeconds(30));
            long downMs = (System.nanoTime() - failed) / 1_000_000;
            assertTrue(down.path("message").asText().contains("InternalError"), down.toString());
            assertEquals("{\"status\":\"DEGRADED\"}", hub.management("/observe/health").body());

            server.setFailing(false);
            long healed = System.nanoTime();
            awaitCheck(hub, "mns-vod-health-outage", "UP", Duration.ofSeconds(20));
            long upMs = (System.nanoTime() - healed) / 1_000_000;
            System.out.printf("MNS answering 500: DOWN after %d ms (%s); UP again %d ms after it recovered%n",
                    downMs, down.path("message").asText(), upMs);
            assertEquals(200, hub.management("/observe/health").statusCode());
            assertTrue(hub.management("/observe/metrics").body().contains("smarttag_mns_consumer_up{queue=\"vod-health-outage\"} 1.0"),
                    "the MNS gauge is 1 again");
        }
    }

    /** Waits until the named check has the state; returns its entry from /observe/health. */
    private static JsonNode awaitCheck(RunningHub hub, String name, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = check(hub, name);
            if (last != null && state.equals(last.path("status").asText())) {
                return last;
            }
            Thread.sleep(100);
        }
        assertNotNull(last, "no check " + name + " in " + health(hub, "/observe/health").body());
        assertEquals(state, last.path("status").asText(), last.toString());
        return last;
    }

    private static JsonNode check(RunningHub hub, String name) throws Exception {
        JsonNode health = JSON.readTree(health(hub, "/observe/health").body());
        for (JsonNode check : health.path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check;
            }
        }
        return null;
    }
}
