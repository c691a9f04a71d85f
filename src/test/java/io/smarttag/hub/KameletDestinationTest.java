package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.testsupport.WebhookReceiver;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A destination of type kamelet: any sink of Camel's Kamelet catalog (or the users' kamelets/ folder)
 * by properties alone, with the hub's delivery rows around it, and a kamelet that cannot work refused
 * at start with one line. Kafka has its own test (KafkaDestinationTest).
 */
class KameletDestinationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RunningHub.Builder hub(String database) {
        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        return builder.property("hub.retry.initial-delay-ms", "300").property("hub.retry.max-delay-ms", "2000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void httpSinkPostsTheRawEventWithTheHeadersOfTheParsedEvent(String database) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
             RunningHub hub = hub(database)
                     .property("hub.destinations", "database,archive,alert,search")
                     .property("hub.destination.search.type", "kamelet")
                     .property("hub.destination.search.kamelet", "http-sink")
                     .property("hub.destination.search.url", receiver.url("/ingest/vod"))
                     .start()) {
            byte[] event = Samples.with(Samples.seed(), "JobId", "http-sink-1");
            // a header of the request must not reach the message: only the parsed body does
            assertEquals(200, hub.post(event, "smarttag-job-id", "forged", "key", "forged").statusCode());
            List<WebhookReceiver.Request> requests = receiver.awaitRequests(1, WAIT);
            assertEquals(1, requests.size());
            WebhookReceiver.Request request = requests.get(0);
            assertEquals("POST", request.method());
            assertEquals("/ingest/vod", request.path());
            assertArrayEquals(event, request.body(), "the raw event, byte for byte");
            String inboxId = (String) hub.query("SELECT id FROM smarttag_inbox WHERE job_id = ?", "http-sink-1").get(0).get("id");
            assertEquals(inboxId, request.header("smarttag-inbox-id"));
            assertEquals("http-sink-1", request.header("smarttag-job-id"));
            assertEquals("http-sink-1", request.header("key"));
            assertEquals("AIVideoTagComplete", request.header("smarttag-event-type"));
            assertEquals("success", request.header("smarttag-status"));
            assertEquals(Samples.field(event, "MediaId"), request.header("smarttag-media-id"));
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, "http-sink-1", "search", "done"));
            assertNotNull(hub.context().getRoute("kamelet-search"), "the destination's own route");
            assertNotNull(hub.context().getRoute("dest-search"), "the kamelet's route, named after the destination");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aReceiverThatFailsGetsTheEventLaterAndAParkedOneIsReplayed(String database) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver().respondWith(503);
             RunningHub hub = hub(database)
                     .property("hub.destinations", "database,archive,alert,search")
                     .property("hub.destination.search.type", "kamelet")
                     .property("hub.destination.search.kamelet", "http-sink")
                     .property("hub.destination.search.url", receiver.url("/ingest"))
                     .property("hub.retry.max-attempts", "3")
                     .property("hub.management.token", "kamelet-token-17")
                     .start()) {
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "http-sink-down")).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, "http-sink-down", "search", "parked"));
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, "http-sink-down", "database", "done"),
                    "the other destinations did not wait for it");
            assertEquals(3, receiver.requests().size(), "hub.retry.max-attempts tries, then parked");
            String metrics = hub.management("/observe/metrics").body();
            assertTrue(metrics.contains("smarttag_deliveries_total{destination=\"search\",outcome=\"failed\""), "counted in the metrics");
            String health = hub.management("/observe/health", "Authorization", "Bearer kamelet-token-17").body();
            assertTrue(health.contains("\"name\":\"destination-search\",\"status\":\"DOWN\""), "in health: " + health);
            assertTrue(opsState(hub, "kamelet-token-17").contains("search"), "on the operator page");

            receiver.respondWith(200);
            receiver.clear();
            var replay = hub.managementPost("/observe/replay?job=http-sink-down&destination=search",
                    "Authorization", "Bearer kamelet-token-17");
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, "http-sink-down", "search", "done"));
            assertEquals(1, receiver.requests().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void jmsArtemisSinkPutsEveryEventOnAQueue(String database) throws Exception {
        int port = TestServers.freePort();
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
        broker.start();
        String url = "tcp://127.0.0.1:" + port;
        try (RunningHub hub = hub(database)
                .property("hub.destinations", "database,archive,alert,orders")
                .property("hub.destination.orders.type", "kamelet")
                .property("hub.destination.orders.kamelet", "jms-apache-artemis-sink")
                .property("hub.destination.orders.destinationName", "vod-events")
                .property("hub.destination.orders.brokerURL", url)
                .start();
             ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
             Connection connection = factory.createConnection()) {
            int events = 5;
            for (int i = 0; i < events; i++) {
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "jms-" + i)).statusCode());
            }
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue("vod-events"));
            Map<String, byte[]> received = new HashMap<>();
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (received.size() < events && System.currentTimeMillis() < deadline) {
                Message message = consumer.receive(1000);
                if (message != null) {
                    byte[] body = message instanceof BytesMessage bytes ? readAll(bytes) : message.getBody(byte[].class);
                    // camel-jms writes '-' in a header name as _HYPHEN_ (JMS property names are Java identifiers)
                    String job = message.getStringProperty("smarttag_HYPHEN_job_HYPHEN_id");
                    assertNull(received.put(job, body), "one message per event");
                    assertEquals(Samples.field(body, "JobId"), job);
                }
            }
            assertEquals(events, received.size());
            for (int i = 0; i < events; i++) {
                assertArrayEquals(Samples.with(Samples.seed(), "JobId", "jms-" + i), received.get("jms-" + i));
            }
            assertEquals(events, hub.awaitCount(events, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'orders' AND state = 'done'"));
        } finally {
            broker.stop();
        }
    }

    /** The operator page's state (GET /ops/api/state after logging in with the token). */
    private static String opsState(RunningHub hub, String token) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + hub.property("hub.management.port");
        var login = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/ops/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + token)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/ops/api/state")).header("Cookie", cookie).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static byte[] readAll(BytesMessage message) throws Exception {
        byte[] body = new byte[(int) message.getBodyLength()];
        message.readBytes(body);
        return body;
    }

    @Test
    void aKameletOfTheUsersFolderIsUsedByName(@TempDir Path kamelets) throws Exception {
        // the user's own sink: the event to an HTTP endpoint with a fixed path and header of theirs
        Files.writeString(kamelets.resolve("team-inbox-sink.kamelet.yaml"), """
                apiVersion: camel.apache.org/v1
                kind: Kamelet
                metadata:
                  name: team-inbox-sink
                  labels:
                    camel.apache.org/kamelet.type: sink
                spec:
                  definition:
                    title: Team inbox
                    required: [baseUrl]
                    properties:
                      baseUrl: {type: string}
                      team: {type: string, default: video}
                  dependencies: ["camel:http", "camel:kamelet"]
                  template:
                    from:
                      uri: kamelet:source
                      steps:
                        - setHeader: {name: X-Team, constant: "{{team}}"}
                        - setHeader: {name: CamelHttpMethod, constant: PUT}
                        - to: "{{baseUrl}}/inbox"
                """);
        try (WebhookReceiver receiver = new WebhookReceiver();
             RunningHub hub = RunningHub.builder()
                     .property("hub.kamelets.dir", kamelets.toString())
                     .property("hub.destinations", "database,archive,alert,team")
                     .property("hub.destination.team.type", "kamelet")
                     .property("hub.destination.team.kamelet", "team-inbox-sink")
                     .property("hub.destination.team.baseUrl", receiver.url(""))
                     .start()) {
            byte[] event = Samples.with(Samples.seed(), "JobId", "own-kamelet");
            assertEquals(200, hub.post(event).statusCode());
            WebhookReceiver.Request request = receiver.awaitRequests(1, WAIT).get(0);
            assertEquals("PUT", request.method());
            assertEquals("/inbox", request.path());
            assertEquals("video", request.header("X-Team"), "the kamelet's default");
            assertArrayEquals(event, request.body());
        }
    }

    @Test
    void aKameletThatCannotWorkFailsTheStartNamingTheDestinationAndWhatIsMissing() throws Exception {
        String unknown = DestinationConfigurationTest.startFailure(Map.of("hub.destinations", "database,archive,alert,stream",
                "hub.destination.stream.type", "kamelet", "hub.destination.stream.kamelet", "kafka-sinc"));
        assertTrue(unknown.contains("destination stream") && unknown.contains("kafka-sinc") && unknown.contains("no such kamelet"), unknown);

        String required = DestinationConfigurationTest.startFailure(Map.of("hub.destinations", "database,archive,alert,stream",
                "hub.destination.stream.type", "kamelet", "hub.destination.stream.kamelet", "kafka-sink",
                "hub.destination.stream.topic", "vod"));
        assertTrue(required.contains("destination stream") && required.contains("hub.destination.stream.bootstrapServers"), required);

        // nats-sink's component, camel-nats, is not bundled
        String component = DestinationConfigurationTest.startFailure(Map.of("hub.destinations", "database,archive,alert,stream",
                "hub.destination.stream.type", "kamelet", "hub.destination.stream.kamelet", "nats-sink",
                "hub.destination.stream.topic", "vod", "hub.destination.stream.servers", "nats://127.0.0.1:4222"));
        assertTrue(component.contains("destination stream") && component.contains("org.apache.camel:camel-nats")
                && component.contains("lib/"), component);

        String noKamelet = DestinationConfigurationTest.startFailure(Map.of("hub.destinations", "database,archive,alert,stream",
                "hub.destination.stream.type", "kamelet"));
        assertTrue(noKamelet.contains("hub.destination.stream.kamelet"), noKamelet);
    }
}
