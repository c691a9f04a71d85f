package io.smarttag.hub.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.webhook.StandardWebhooks;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The test webhook receiver: what it records, its status, and stopping and restarting on one port. */
class WebhookReceiverTest {

    // HTTP/1.1: the client's default HTTP/2 would add h2c upgrade headers to every recorded request.
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void recordsMethodPathHeadersBodyAndTime() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            assertTrue(receiver.port() > 0);
            Instant before = Instant.now();
            byte[] body = "{\"a\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(receiver.url("/hooks/x?y=1")))
                    .header("Webhook-ID", "msg_1").header("X-Twice", "a").header("x-twice", "b")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, response.statusCode());

            WebhookReceiver.Request request = receiver.requests().get(0);
            assertEquals("POST", request.method());
            assertEquals("/hooks/x", request.path());
            assertEquals("y=1", request.query());
            assertEquals("msg_1", request.header("webhook-id"));
            assertEquals("msg_1", request.headers().get("webhook-id"));
            assertEquals(List.of("a", "b"), request.headerValues().get("x-twice"));
            assertTrue(request.headers().keySet().stream().allMatch(name -> name.equals(name.toLowerCase())));
            assertArrayEquals(body, request.body());
            assertFalse(request.received().isBefore(before));
            assertFalse(request.received().isAfter(Instant.now()));
        }
    }

    @Test
    void answersWithTheStatusItIsToldToUse() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            receiver.respondWith(503);
            assertEquals(503, post(receiver, "one").statusCode());
            receiver.respondWith(204);
            assertEquals(204, post(receiver, "two").statusCode());
            assertEquals(List.of("one", "two"), receiver.requests().stream().map(WebhookReceiver.Request::bodyText).toList());
        }
    }

    @Test
    void stopsAndComesBackOnTheSamePort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (WebhookReceiver receiver = new WebhookReceiver(port)) {
            assertEquals(port, receiver.port());
            assertEquals(200, post(receiver, "before").statusCode());

            receiver.stop();
            assertFalse(receiver.isRunning());
            HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThrows(ConnectException.class, () -> fresh.send(
                    HttpRequest.newBuilder(URI.create(receiver.url("/"))).POST(HttpRequest.BodyPublishers.ofString("down")).build(),
                    HttpResponse.BodyHandlers.discarding()));
            // The client that posted "before" holds a kept-alive connection; stop() must close that too.
            assertThrows(IOException.class, () -> post(receiver, "down, kept-alive"));

            receiver.start();
            assertEquals(port, receiver.port());
            assertEquals(200, post(receiver, "after").statusCode());
            assertEquals(List.of("before", "after"), receiver.requests().stream().map(WebhookReceiver.Request::bodyText).toList());
        }
    }

    @Test
    void awaitsConcurrentRequestsAndTimesOut() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            List<CompletableFuture<HttpResponse<Void>>> sent = IntStream.range(0, 20)
                    .mapToObj(i -> client.sendAsync(HttpRequest.newBuilder(URI.create(receiver.url("/")))
                            .POST(HttpRequest.BodyPublishers.ofString("m" + i)).build(), HttpResponse.BodyHandlers.discarding()))
                    .toList();
            List<WebhookReceiver.Request> requests = receiver.awaitRequests(20, Duration.ofSeconds(10));
            assertEquals(IntStream.range(0, 20).mapToObj(i -> "m" + i).collect(Collectors.toSet()),
                    requests.stream().map(WebhookReceiver.Request::bodyText).collect(Collectors.toSet()));
            sent.forEach(CompletableFuture::join);

            AssertionError late = assertThrows(AssertionError.class, () -> receiver.awaitRequests(21, Duration.ofMillis(200)));
            assertTrue(late.getMessage().contains("got 20"), late.getMessage());
            receiver.clear();
            assertTrue(receiver.requests().isEmpty());
        }
    }

    @Test
    void recordedStandardWebhooksHeadersVerify() throws Exception {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        byte[] body = "{\"JobId\":\"j-1\"}".getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver.url("/hook")))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            new StandardWebhooks(secret).headers("j-1", now, body).forEach(request::header);
            client.send(request.build(), HttpResponse.BodyHandlers.discarding());

            WebhookReceiver.Request got = receiver.awaitRequests(1, Duration.ofSeconds(5)).get(0);
            assertTrue(got.headers().keySet().containsAll(Set.of("webhook-id", "webhook-timestamp", "webhook-signature")));
            assertTrue(StandardWebhooksVerifier.verify(secret, got.headers(), got.body(), 300));
            assertFalse(StandardWebhooksVerifier.verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", got.headers(), got.body(), 300));
            assertNull(got.query());
        }
    }

    private HttpResponse<Void> post(WebhookReceiver receiver, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(receiver.url("/")))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
    }
}
