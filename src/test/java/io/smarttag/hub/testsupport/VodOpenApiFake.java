package io.smarttag.hub.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * VOD's OpenAPI (2017-03-21, RPC style) for tests, on the JDK HttpServer: GetMessageCallback and
 * SetMessageCallback, with the notification settings kept per AppId. Every request is checked as
 * VOD checks it (shared/reference/vod-openapi.md): the common parameters, a known AccessKeyId,
 * a fresh Timestamp and unused SignatureNonce, and the HMAC-SHA1 signature over the sorted,
 * RFC 3986-encoded query and form parameters (merged, Signature left out) with key secret + "&".
 * SetMessageCallback enforces the AuthKey rules (at most 32 characters, upper and lower case and
 * digits) and the 256-byte CallbackURL limit. Errors are answered as VOD answers them: an HTTP
 * status and {"RequestId","HostId","Code","Message","Recommend"}. The error codes for a bad
 * AuthKey or URL are not documented; InvalidParameter.* is our assumption of their shape.
 */
public final class VodOpenApiFake implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SETTINGS = Set.of("CallbackType", "CallbackURL", "EventTypeList", "AuthSwitch", "AuthKey",
            "MnsEndpoint", "MnsQueueName");

    private final HttpServer http;
    private final String accessKeyId;
    private final String accessKeySecret;
    private final Map<String, Map<String, String>> settings = new ConcurrentHashMap<>();
    private final Set<String> nonces = ConcurrentHashMap.newKeySet();
    private final List<String> actions = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rejections = Collections.synchronizedList(new ArrayList<>());

    public VodOpenApiFake(String accessKeyId, String accessKeySecret) throws IOException {
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::handle);
        http.start();
    }

    /** The endpoint to give setup's --endpoint. */
    public String endpoint() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** Settings as the console would have left them, e.g. event types already enabled. */
    public void preset(String appId, Map<String, String> values) {
        settings.put(appId, new ConcurrentHashMap<>(values));
    }

    public Map<String, String> settings(String appId) {
        return Map.copyOf(settings.getOrDefault(appId, Map.of()));
    }

    /** Actions served (signature valid), in order. */
    public List<String> actions() {
        synchronized (actions) {
            return List.copyOf(actions);
        }
    }

    /** Every request seen, valid or not. */
    public int requests() {
        return actions().size() + rejections().size();
    }

    /** Codes of the requests refused. */
    public List<String> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> parameters = new TreeMap<>();
            parse(exchange.getRequestURI().getRawQuery(), parameters);
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
                parse(new String(body, StandardCharsets.UTF_8), parameters);
            }
            String refusal = refusal(exchange, parameters);
            if (refusal != null) {
                return;
            }
            String appId = parameters.getOrDefault("AppId", "app-1000000");
            switch (parameters.get("Action")) {
                case "GetMessageCallback" -> get(exchange, appId);
                case "SetMessageCallback" -> set(exchange, appId, parameters);
                default -> error(exchange, 404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
            }
        } catch (RuntimeException e) {
            error(exchange, 500, "InternalError", e.toString());
        }
    }

    /** Checks the common parameters and the signature; answers the error itself and returns its code. */
    private String refusal(HttpExchange exchange, Map<String, String> p) throws IOException {
        for (String required : List.of("Action", "Version", "AccessKeyId", "SignatureMethod", "SignatureVersion",
                "SignatureNonce", "Timestamp", "Signature")) {
            if (p.get(required) == null || p.get(required).isEmpty()) {
                return refuseWith(exchange, 400, "MissingParameter", "The input parameter \"" + required + "\" that is mandatory for processing this request is not supplied.");
            }
        }
        if (!"2017-03-21".equals(p.get("Version"))) {
            return refuseWith(exchange, 400, "InvalidVersion", "Specified parameter Version is not valid.");
        }
        if (!"HMAC-SHA1".equals(p.get("SignatureMethod")) || !"1.0".equals(p.get("SignatureVersion"))) {
            return refuseWith(exchange, 400, "InvalidParameter.SignatureMethod", "Only HMAC-SHA1 signature version 1.0 is served here.");
        }
        if (!accessKeyId.equals(p.get("AccessKeyId"))) {
            return refuseWith(exchange, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }
        try {
            if (Duration.between(Instant.parse(p.get("Timestamp")), Instant.now()).abs().toMinutes() >= 15) {
                return refuseWith(exchange, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
            }
        } catch (java.time.format.DateTimeParseException e) {
            return refuseWith(exchange, 400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
        }
        String expected = signature(exchange.getRequestMethod(), p, accessKeySecret);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), p.get("Signature").getBytes(StandardCharsets.UTF_8))) {
            return refuseWith(exchange, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        }
        if (!nonces.add(p.get("SignatureNonce"))) {
            return refuseWith(exchange, 400, "SignatureNonceUsed", "Specified signature nonce was used already.");
        }
        return null;
    }

    private String refuseWith(HttpExchange exchange, int status, String code, String message) throws IOException {
        refuse(exchange, status, code, message);
        return code;
    }

    private static void parse(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(name, value);
        }
    }

    /** RFC 3986: space as %20, '*' encoded, '~' kept. */
    static String percentEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    static String signature(String method, Map<String, String> parameters, String secret) {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(parameters).forEach((name, value) -> {
            if (!"Signature".equals(name)) {
                canonical.append(canonical.length() == 0 ? "" : "&").append(percentEncode(name)).append('=').append(percentEncode(value));
            }
        });
        String stringToSign = method + "&" + percentEncode("/") + "&" + percentEncode(canonical.toString());
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec((secret + "&").getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void get(HttpExchange exchange, String appId) throws IOException {
        actions.add("GetMessageCallback");
        ObjectNode reply = JSON.createObjectNode().put("RequestId", UUID.randomUUID().toString().toUpperCase());
        Map<String, String> current = settings.get(appId);
        if (current != null) {
            ObjectNode callback = reply.putObject("MessageCallback").put("AppId", appId);
            current.forEach(callback::put);
        }
        reply(exchange, 200, reply);
    }

    private void set(HttpExchange exchange, String appId, Map<String, String> p) throws IOException {
        String type = p.get("CallbackType");
        String url = p.get("CallbackURL");
        String key = p.get("AuthKey");
        if (url != null && url.getBytes(StandardCharsets.UTF_8).length > 256) {
            refuse(exchange, 400, "InvalidParameter.CallbackURL", "The specified parameter \"CallbackURL\" is longer than 256 bytes.");
            return;
        }
        if (key != null && !key.isEmpty() && (key.length() > 32 || !key.matches(".*[A-Z].*") || !key.matches(".*[a-z].*")
                || !key.matches(".*[0-9].*"))) {
            refuse(exchange, 400, "InvalidParameter.AuthKey",
                    "The specified parameter \"AuthKey\" is not valid: at most 32 characters, with upper case, lower case letters and digits.");
            return;
        }
        if ("HTTP".equals(type) && (url == null || url.isEmpty())) {
            refuse(exchange, 400, "MissingParameter.CallbackURL", "CallbackURL is mandatory for CallbackType HTTP.");
            return;
        }
        if ("MNS".equals(type) && (p.get("MnsEndpoint") == null || p.get("MnsQueueName") == null)) {
            refuse(exchange, 400, "MissingParameter.MnsQueueName", "MnsEndpoint and MnsQueueName are mandatory for CallbackType MNS.");
            return;
        }
        if (type != null && !type.equals("HTTP") && !type.equals("MNS")) {
            refuse(exchange, 400, "InvalidParameter.CallbackType", "CallbackType must be HTTP or MNS.");
            return;
        }
        actions.add("SetMessageCallback");
        Map<String, String> current = settings.computeIfAbsent(appId, a -> new ConcurrentHashMap<>());
        p.forEach((name, value) -> {
            if (SETTINGS.contains(name)) {
                current.put(name, value);
            }
        });
        reply(exchange, 200, JSON.createObjectNode().put("RequestId", UUID.randomUUID().toString().toUpperCase()));
    }

    private void refuse(HttpExchange exchange, int status, String code, String message) throws IOException {
        rejections.add(code);
        error(exchange, status, code, message);
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        reply(exchange, status, JSON.createObjectNode()
                .put("RequestId", UUID.randomUUID().toString().toUpperCase())
                .put("HostId", "vod.cn-shanghai.aliyuncs.com")
                .put("Code", code)
                .put("Message", message)
                .put("Recommend", "https://api.aliyun.com/troubleshoot?q=" + code));
    }

    private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
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
