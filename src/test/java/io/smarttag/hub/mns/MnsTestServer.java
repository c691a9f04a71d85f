package io.smarttag.hub.mns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * An MNS-protocol queue server for tests, on the JDK HttpServer: SendMessage, BatchSendMessage,
 * ReceiveMessage and BatchReceiveMessage with long polling, DeleteMessage, BatchDeleteMessage,
 * ChangeMessageVisibility, CreateQueue (201 new, 204 same attributes, 409 other attributes); visibility timeouts, receipt handles that a later receive or a
 * visibility change invalidates, DequeueCount, and the V2 signature checked on every request.
 * Error replies use the namespace the Java SDK's JAXB binding expects (no trailing slash).
 * The official SDK talks to it unchanged, which is the proof that it speaks MNS.
 */
public final class MnsTestServer implements AutoCloseable {

    private static final String NS = "http://mns.aliyuncs.com/doc/v1/";
    private static final String ERROR_NS = "http://mns.aliyuncs.com/doc/v1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer http;
    private final String accessKeyId;
    private final String accessKeySecret;
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> queueAttributes = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger rejectedSignatures = new AtomicInteger();
    private final AtomicInteger waitingReceives = new AtomicInteger();
    private final AtomicInteger deleteRequests = new AtomicInteger();
    private final List<String> deletedBodies = Collections.synchronizedList(new ArrayList<>());
    private volatile long visibilityTimeoutMs = 30_000;
    private volatile boolean failing;

    /** One queued message and its delivery state. */
    private static final class Stored {
        final String id = UUID.randomUUID().toString().toUpperCase();
        final String body;
        final long enqueueTime = System.currentTimeMillis();
        long visibleAt = enqueueTime;
        long firstDequeueTime;
        int dequeueCount;
        String receiptHandle;

        Stored(String body) {
            this.body = body;
        }
    }

    /** Messages of one queue; the monitor is what long polls wait on. */
    private static final class Queue {
        final List<Stored> messages = new ArrayList<>();
    }

    public MnsTestServer(String accessKeyId, String accessKeySecret) throws IOException {
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mns-test-server");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", this::handle);
        http.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    public void setVisibilityTimeoutMs(long millis) {
        this.visibilityTimeoutMs = millis;
    }

    /** While failing, every request gets 500 InternalError (an MNS outage). */
    public void setFailing(boolean failing) {
        this.failing = failing;
    }

    public int requests() {
        return requests.get();
    }

    public int rejectedSignatures() {
        return rejectedSignatures.get();
    }

    /** Messages in the queue, visible or in flight (not yet deleted). */
    public int size(String queueName) {
        Queue queue = queue(queueName);
        synchronized (queue) {
            return queue.messages.size();
        }
    }

    /** Receives waiting in a long poll right now. */
    public int waitingReceives() {
        return waitingReceives.get();
    }

    /** Delete and BatchDelete requests so far (a BatchDelete of 16 handles counts once). */
    public int deleteRequests() {
        return deleteRequests.get();
    }

    /** Bodies of the messages deleted so far (by Delete or BatchDelete), in the order they were deleted. */
    public List<String> deletedBodies() {
        synchronized (deletedBodies) {
            return new ArrayList<>(deletedBodies);
        }
    }

    public int dequeueCountOfOnlyMessage(String queueName) {
        Queue queue = queue(queueName);
        synchronized (queue) {
            return queue.messages.isEmpty() ? 0 : queue.messages.get(0).dequeueCount;
        }
    }

    private Queue queue(String name) {
        return queues.computeIfAbsent(name, n -> new Queue());
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (failing) {
                error(exchange, 500, "InternalError", "injected failure");
                return;
            }
            if (!signatureValid(exchange)) {
                rejectedSignatures.incrementAndGet();
                error(exchange, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
                return;
            }
            String[] path = exchange.getRequestURI().getRawPath().split("/");
            if (path.length == 3 && "queues".equals(path[1]) && "PUT".equals(exchange.getRequestMethod())) {
                createQueue(exchange, path[2], body);
                return;
            }
            if (path.length != 4 || !"queues".equals(path[1]) || !"messages".equals(path[3])) {
                error(exchange, 400, "InvalidRequestURL", "unsupported path");
                return;
            }
            Queue queue = queue(path[2]);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            switch (exchange.getRequestMethod()) {
                case "POST" -> send(exchange, queue, body);
                case "GET" -> receive(exchange, queue, query);
                case "DELETE" -> delete(exchange, queue, query, body);
                case "PUT" -> changeVisibility(exchange, queue, query);
                default -> error(exchange, 400, "InvalidArgument", "unsupported method");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            error(exchange, 400, "MalformedXML", e.getClass().getSimpleName());
        }
    }

    private boolean signatureValid(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("MNS " + accessKeyId + ":")) {
            return false;
        }
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
        String raw = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        String resource = query == null ? raw : raw + "?" + query;
        String expected = MnsSignature.sign(accessKeySecret, MnsSignature.stringToSign(exchange.getRequestMethod(),
                exchange.getRequestHeaders().getFirst("Content-MD5"), exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Date"), headers, resource));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                authorization.substring(("MNS " + accessKeyId + ":").length()).getBytes(StandardCharsets.UTF_8));
    }

    /** Receipt handles travel unencoded (the Java SDK does not encode them), so no '+' to ' ' here. */
    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq).toLowerCase(), pair.substring(eq + 1));
                }
            }
        }
        return values;
    }

    /** MNS's defaults for the attributes a CreateQueue leaves out, and their allowed ranges. */
    private static final Map<String, long[]> QUEUE_ATTRIBUTES = Map.of(
            "DelaySeconds", new long[] {0, 0, 604_800},
            "MaximumMessageSize", new long[] {65_536, 1_024, 65_536},
            "MessageRetentionPeriod", new long[] {345_600, 60, 604_800},
            "VisibilityTimeout", new long[] {30, 1, 43_200},
            "PollingWaitSeconds", new long[] {0, 0, 30});

    /**
     * CreateQueue (PUT /queues/name): 201 with Location for a new queue, 204 when it exists with
     * the same attributes (defaults filled in), 409 QueueAlreadyExist when they differ, 400
     * InvalidArgument for a value out of range.
     */
    private void createQueue(HttpExchange exchange, String name, byte[] body) throws Exception {
        Map<String, Long> attributes = new java.util.TreeMap<>();
        Element root = body.length == 0 ? null : parse(body).getDocumentElement();
        for (Map.Entry<String, long[]> attribute : QUEUE_ATTRIBUTES.entrySet()) {
            NodeList given = root == null ? null : root.getElementsByTagNameNS("*", attribute.getKey());
            long value = given == null || given.getLength() == 0 ? attribute.getValue()[0]
                    : Long.parseLong(given.item(0).getTextContent().trim());
            if (value < attribute.getValue()[1] || value > attribute.getValue()[2]) {
                error(exchange, 400, "InvalidArgument", attribute.getKey() + " should be between " + attribute.getValue()[1]
                        + " and " + attribute.getValue()[2]);
                return;
            }
            attributes.put(attribute.getKey(), value);
        }
        Map<String, Long> existing = queueAttributes.putIfAbsent(name, attributes);
        if (existing == null) {
            exchange.getResponseHeaders().set("Location", endpoint() + "/queues/" + name);
            reply(exchange, 201, null);
        } else if (existing.equals(attributes)) {
            reply(exchange, 204, null);
        } else {
            error(exchange, 409, "QueueAlreadyExist", "The queue you want to create already exists.");
        }
    }

    /** The attributes a queue was created with (CreateQueue), or null when it was never created. */
    public Map<String, Long> queueAttributes(String name) {
        return queueAttributes.get(name);
    }

    private void send(HttpExchange exchange, Queue queue, byte[] body) throws Exception {
        Document doc = parse(body);
        Element root = doc.getDocumentElement();
        List<Element> messages = new ArrayList<>();
        if ("Messages".equals(root.getLocalName() == null ? root.getNodeName() : root.getLocalName())) {
            NodeList list = root.getElementsByTagNameNS("*", "Message");
            for (int i = 0; i < list.getLength(); i++) {
                messages.add((Element) list.item(i));
            }
        } else {
            messages.add(root);
        }
        StringBuilder reply = new StringBuilder();
        synchronized (queue) {
            for (Element message : messages) {
                String text = message.getElementsByTagNameNS("*", "MessageBody").item(0).getTextContent();
                Stored stored = new Stored(text);
                queue.messages.add(stored);
                reply.append("<Message><MessageId>").append(stored.id).append("</MessageId><MessageBodyMD5>")
                        .append(md5(text)).append("</MessageBodyMD5></Message>");
            }
            queue.notifyAll();
        }
        String xml = messages.size() == 1 && !"Messages".equals(root.getLocalName())
                ? reply.toString().replace("<Message>", "<Message xmlns=\"" + NS + "\">")
                : "<Messages xmlns=\"" + NS + "\">" + reply + "</Messages>";
        reply(exchange, 201, xml);
    }

    private void receive(HttpExchange exchange, Queue queue, Map<String, String> query) throws Exception {
        int wanted = query.containsKey("numofmessages") ? Integer.parseInt(query.get("numofmessages")) : 1;
        boolean batch = query.containsKey("numofmessages");
        long waitMs = query.containsKey("waitseconds") ? Long.parseLong(query.get("waitseconds")) * 1000 : 0;
        long deadline = System.currentTimeMillis() + waitMs;
        List<Stored> taken = new ArrayList<>();
        synchronized (queue) {
            while (true) {
                long now = System.currentTimeMillis();
                for (Stored message : queue.messages) {
                    if (taken.size() < wanted && message.visibleAt <= now) {
                        message.dequeueCount++;
                        if (message.firstDequeueTime == 0) {
                            message.firstDequeueTime = now;
                        }
                        message.visibleAt = now + visibilityTimeoutMs;
                        message.receiptHandle = newHandle();
                        taken.add(message);
                    }
                }
                long left = Math.min(deadline - now, nextVisible(queue) - now);
                if (!taken.isEmpty() || deadline - now <= 0) {
                    break;
                }
                waitingReceives.incrementAndGet();
                try {
                    queue.wait(Math.max(1, left));
                } finally {
                    waitingReceives.decrementAndGet();
                }
            }
        }
        if (taken.isEmpty()) {
            error(exchange, 404, "MessageNotExist", "Message not exist.");
            return;
        }
        StringBuilder xml = new StringBuilder();
        for (Stored message : taken) {
            xml.append("<Message").append(batch ? "" : " xmlns=\"" + NS + "\"").append('>')
                    .append("<MessageId>").append(message.id).append("</MessageId>")
                    .append("<ReceiptHandle>").append(message.receiptHandle).append("</ReceiptHandle>")
                    .append("<MessageBodyMD5>").append(md5(message.body)).append("</MessageBodyMD5>")
                    .append("<MessageBody>").append(escape(message.body)).append("</MessageBody>")
                    .append("<EnqueueTime>").append(message.enqueueTime).append("</EnqueueTime>")
                    .append("<NextVisibleTime>").append(message.visibleAt).append("</NextVisibleTime>")
                    .append("<FirstDequeueTime>").append(message.firstDequeueTime).append("</FirstDequeueTime>")
                    .append("<DequeueCount>").append(message.dequeueCount).append("</DequeueCount>")
                    .append("<Priority>8</Priority></Message>");
        }
        reply(exchange, 200, batch ? "<Messages xmlns=\"" + NS + "\">" + xml + "</Messages>" : xml.toString());
    }

    private static long nextVisible(Queue queue) {
        long next = Long.MAX_VALUE;
        for (Stored message : queue.messages) {
            next = Math.min(next, message.visibleAt);
        }
        return next;
    }

    private void delete(HttpExchange exchange, Queue queue, Map<String, String> query, byte[] body) throws Exception {
        deleteRequests.incrementAndGet();
        if (query.containsKey("receipthandle")) {
            String code = deleteOne(queue, query.get("receipthandle"));
            if (code == null) {
                reply(exchange, 204, null);
            } else {
                error(exchange, "MessageNotExist".equals(code) ? 404 : 400, code, code);
            }
            return;
        }
        NodeList handles = parse(body).getElementsByTagNameNS("*", "ReceiptHandle");
        StringBuilder errors = new StringBuilder();
        for (int i = 0; i < handles.getLength(); i++) {
            String handle = handles.item(i).getTextContent();
            String code = deleteOne(queue, handle);
            if (code != null) {
                errors.append("<Error><ErrorCode>").append(code).append("</ErrorCode><ErrorMessage>").append(code)
                        .append("</ErrorMessage><ReceiptHandle>").append(escape(handle)).append("</ReceiptHandle></Error>");
            }
        }
        if (errors.length() == 0) {
            reply(exchange, 204, null);
        } else {
            reply(exchange, 404, "<Errors xmlns=\"" + NS + "\">" + errors + "</Errors>");
        }
    }

    /** null when deleted; else the MNS error code. A handle is valid only until the message is visible again. */
    private String deleteOne(Queue queue, String handle) {
        if (handle == null || handle.isEmpty() || !handle.startsWith("1-")) {
            return "ReceiptHandleError";
        }
        synchronized (queue) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < queue.messages.size(); i++) {
                Stored message = queue.messages.get(i);
                if (handle.equals(message.receiptHandle)) {
                    if (message.visibleAt <= now) {
                        return "MessageNotExist";
                    }
                    queue.messages.remove(i);
                    deletedBodies.add(message.body);
                    return null;
                }
            }
        }
        return "MessageNotExist";
    }

    private void changeVisibility(HttpExchange exchange, Queue queue, Map<String, String> query) throws IOException {
        String handle = query.get("receipthandle");
        long seconds = Long.parseLong(query.getOrDefault("visibilitytimeout", "0"));
        synchronized (queue) {
            long now = System.currentTimeMillis();
            for (Stored message : queue.messages) {
                if (handle != null && handle.equals(message.receiptHandle) && message.visibleAt > now) {
                    message.visibleAt = now + seconds * 1000;
                    message.receiptHandle = newHandle();
                    reply(exchange, 200, "<ChangeVisibility xmlns=\"" + NS + "\"><ReceiptHandle>" + message.receiptHandle
                            + "</ReceiptHandle><NextVisibleTime>" + message.visibleAt + "</NextVisibleTime></ChangeVisibility>");
                    queue.notifyAll();
                    return;
                }
            }
        }
        error(exchange, 404, "MessageNotExist", "Message not exist.");
    }

    /** Handles look like MNS's: "1-" and Base64, so they carry '+', '/' and '='. */
    private static String newHandle() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return "1-" + Base64.getEncoder().encodeToString(bytes);
    }

    private static Document parse(byte[] body) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void error(HttpExchange exchange, int status, String code, String message) {
        try {
            reply(exchange, status, "<Error xmlns=\"" + ERROR_NS + "\"><Code>" + code + "</Code><Message>" + escape(message)
                    + "</Message><RequestId>" + UUID.randomUUID() + "</RequestId><HostId>" + "http://test.mns.local"
                    + "</HostId></Error>");
        } catch (IOException ignored) {
            // client went away
        }
    }

    private static void reply(HttpExchange exchange, int status, String xml) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-mns-request-id", UUID.randomUUID().toString());
        headers.put("x-mns-version", "2015-06-06");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (xml == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
