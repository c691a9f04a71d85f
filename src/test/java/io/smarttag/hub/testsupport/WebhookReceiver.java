package io.smarttag.hub.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook endpoint for tests, on the JDK HttpServer at 127.0.0.1: records every request and answers
 * with a settable status (200 until {@link #respondWith} says otherwise). {@link #stop()} and
 * {@link #start()} take it down and bring it back on the same port, as a receiver that is down for a
 * while and then returns. Starts listening on construction.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** How long start() retries a port the previous run's sockets may still hold. */
    private static final Duration REBIND_PATIENCE = Duration.ofSeconds(10);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * One request as received: headerValues has lower-case names and every line of each header;
     * query is null when the URI had none.
     */
    public record Request(String method, String path, String query, Map<String, List<String>> headerValues,
                          byte[] body, Instant received) {

        public Request {
            body = body.clone();
            headerValues = Collections.unmodifiableMap(new TreeMap<>(headerValues));
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The header's value (lines of a repeated header joined by ", "), or null. */
        public String header(String name) {
            List<String> values = headerValues.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        /** All headers as name to {@link #header} value, lower-case names, e.g. for StandardWebhooksVerifier. */
        public Map<String, String> headers() {
            Map<String, String> headers = new TreeMap<>();
            headerValues.forEach((name, values) -> headers.put(name, String.join(", ", values)));
            return headers;
        }
    }

    private final List<Request> requests = new ArrayList<>(); // guarded by itself
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "webhook-receiver-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private volatile int status = 200;
    private HttpServer server; // guarded by this; null while stopped
    private int port;

    /** Listening on a free port. */
    public WebhookReceiver() {
        this(0);
    }

    /** Listening on port, or on a free one when port is 0 (see {@link #port()}). */
    public WebhookReceiver(int port) {
        this.port = port;
        start();
    }

    /** Listens again, on the port of the first start; does nothing if already listening. */
    public synchronized WebhookReceiver start() {
        if (server != null) {
            return this;
        }
        server = bind();
        port = server.getAddress().getPort();
        // Handlers on their own threads: the default runs them on the accept thread, one at a time,
        // which would hide a sender's concurrency from the tests.
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    private HttpServer bind() {
        long deadline = System.nanoTime() + REBIND_PATIENCE.toNanos();
        while (true) {
            try {
                return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            } catch (BindException e) {
                if (port == 0 || System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
                }
                sleep(Duration.ofMillis(100));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Stops listening and drops open connections: senders get connection refused until start(). */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public void close() {
        stop();
        handlers.shutdownNow();
    }

    public synchronized int port() {
        return port;
    }

    /** http://127.0.0.1:port followed by path (which starts with '/'). */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The status for every following request. */
    public WebhookReceiver respondWith(int status) {
        this.status = status;
        return this;
    }

    /** The requests so far, oldest first. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clear() {
        synchronized (requests) {
            requests.clear();
        }
    }

    /**
     * All requests so far, once there are at least n.
     *
     * @throws AssertionError if fewer than n arrived within timeout
     */
    public List<Request> awaitRequests(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (requests.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " requests within " + timeout + ", got "
                            + requests.size());
                }
                try {
                    requests.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for requests", e);
                }
            }
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            Instant received = Instant.now();
            byte[] body = in.readAllBytes();
            Map<String, List<String>> headers = new TreeMap<>();
            // HttpServer capitalises names ("Webhook-id"); tests look them up in lower case.
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body, received);
            // Recorded before answering, so a sender that saw the response finds its request here.
            synchronized (requests) {
                requests.add(request);
                requests.notifyAll();
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
