package io.smarttag.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Operator command: starts and follows a backfill on the running hub, through its management port
 * (POST /observe/backfill with hub.management.token), so the hub's instances do the work and
 * progress shows on /ops; it reads the same application.properties and HUB_* variables as the hub.
 *
 * <pre>
 *   java -jar target/smarttag-hub.jar backfill --destination indexer --from 2026-10-01 --to 2026-12-31 [--kinds success] [--wait]
 *   java -jar target/smarttag-hub.jar backfill --status
 *   java -jar target/smarttag-hub.jar backfill --pause|--resume|--cancel|--retry-parked ID
 * </pre>
 * --hub http://host:port names another management address (default 127.0.0.1:hub.management.port).
 * Exit code 0 when the hub accepted the request (with --wait: when the backfill is done), else 1.
 */
public final class BackfillCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ACTIONS = List.of("pause", "resume", "cancel", "retry-parked");

    private BackfillCommand() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    public static int run(String[] args) throws Exception {
        ObjectNode request = JSON.createObjectNode();
        String hub = null;
        String action = null;
        String id = null;
        boolean status = false;
        boolean wait = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            boolean hasValue = i + 1 < args.length;
            switch (arg) {
                case "--destination", "--from", "--to", "--kinds", "--archive" -> {
                    if (!hasValue) {
                        return usage();
                    }
                    request.put(arg.substring(2), args[++i]);
                }
                case "--hub" -> {
                    if (!hasValue) {
                        return usage();
                    }
                    hub = args[++i];
                }
                case "--status" -> status = true;
                case "--wait" -> wait = true;
                default -> {
                    if (arg.startsWith("--") && ACTIONS.contains(arg.substring(2)) && hasValue) {
                        action = arg.substring(2);
                        id = args[++i];
                    } else {
                        return usage();
                    }
                }
            }
        }
        String token;
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:application.properties");
            token = context.getPropertiesComponent().resolveProperty("hub.management.token").orElse("").trim();
            if (hub == null) {
                hub = "http://127.0.0.1:" + context.getPropertiesComponent().resolveProperty("hub.management.port").orElse("9876");
            }
        }
        if (token.isEmpty()) {
            System.err.println("hub.management.token is not set (HUB_MANAGEMENT_TOKEN): the hub takes backfills only with it");
            return 1;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = hub.replaceAll("/+$", "") + "/observe/backfill";
        HttpResponse<String> response;
        if (status) {
            response = send(http, token, HttpRequest.newBuilder(URI.create(base)).GET());
        } else if (action != null) {
            response = send(http, token, HttpRequest.newBuilder(URI.create(base + "/" + id + "/" + action)).POST(HttpRequest.BodyPublishers.noBody()));
        } else if (request.has("destination") && request.has("from") && request.has("to")) {
            response = send(http, token, HttpRequest.newBuilder(URI.create(base)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request.toString())));
        } else {
            return usage();
        }
        System.out.println(response.body());
        if (response.statusCode() / 100 != 2) {
            return 1;
        }
        if (!wait || status || action != null) {
            return 0;
        }
        String started = JSON.readTree(response.body()).path("id").asText();
        while (true) {
            Thread.sleep(2000);
            JsonNode now = JSON.readTree(send(http, token, HttpRequest.newBuilder(URI.create(base + "/" + started)).GET()).body());
            System.out.printf("%s: %s listed, %d delivered, %d skipped, %d failed, %d parked, %.1f/s, ETA %s s%n", now.path("state").asText(),
                    now.path("listed").asText(), now.path("delivered").asLong(), now.path("skipped").asLong(), now.path("failed").asLong(),
                    now.path("parked").asLong(), now.path("rate").asDouble(), now.path("etaSeconds").asText());
            if (!"running".equals(now.path("state").asText())) {
                return "done".equals(now.path("state").asText()) ? 0 : 1;
            }
        }
    }

    private static HttpResponse<String> send(HttpClient http, String token, HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int usage() {
        System.err.println("usage: backfill --destination NAME --from yyyy-MM-dd --to yyyy-MM-dd [--kinds success,fail,other]"
                + " [--archive NAME] [--wait] [--hub http://host:port]\n"
                + "       backfill --status | --pause ID | --resume ID | --cancel ID | --retry-parked ID");
        return 2;
    }
}
