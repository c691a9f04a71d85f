package io.smarttag.hub.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.setup.CommandLine;
import io.smarttag.hub.setup.SetupException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar target/smarttag-hub.jar check}: the whole path end to end against a running
 * hub. Sends a test event (TestEvents) to the callback URL, signed with the configured AuthKey as
 * VOD signs it, then follows it with GET /observe/events?job=... on the management port until
 * every destination has delivered, skipped or parked it, and prints one line per destination.
 * Exit 0 when every destination delivered (or skipped) it, 1 naming each one that did not (or
 * when the callback itself was refused), 2 for a wrong call: fit for a deployment pipeline.
 */
public final class CheckCommand {

    private static final Set<String> VALUED = Set.of("callback-url", "auth-key", "send-to", "management-url", "token",
            "timeout-seconds");
    private static final Set<String> FLAGS = Set.of("help");
    private static final Set<String> FINAL = Set.of("done", "skipped", "parked");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public CheckCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(List<String> args) {
        try {
            if (args.contains("--help")) {
                usage();
                return 0;
            }
            CommandLine options = CommandLine.parse(args, VALUED, FLAGS);
            HubSettingsFile hub = new HubSettingsFile(env, Path.of("application.properties"));
            String callbackUrl = options.get("callback-url", hub.get("hub.callback.url"));
            if (callbackUrl == null) {
                throw new CommandLine.UsageException("no callback URL: set hub.callback.url (HUB_CALLBACK_URL) or give --callback-url");
            }
            String key = options.get("auth-key", hub.get("hub.callback.auth-key"));
            String sendTo = options.get("send-to", callbackUrl);
            String management = options.get("management-url",
                    "http://127.0.0.1:" + (hub.get("hub.management.port") == null ? "9876" : hub.get("hub.management.port")));
            String token = options.get("token", hub.get("hub.management.token"));
            if (token == null) {
                throw new CommandLine.UsageException("no management token: set hub.management.token (HUB_MANAGEMENT_TOKEN) or give --token;"
                        + " the event status endpoint needs it");
            }
            long timeout = options.number("timeout-seconds", 60);
            String jobId = TestEvents.newJobId();
            send(sendTo, callbackUrl, key, jobId);
            return follow(management.replaceAll("/+$", ""), token, jobId, Duration.ofSeconds(timeout));
        } catch (CommandLine.UsageException e) {
            err.println("check: " + e.getMessage() + " (check --help shows the options)");
            return 2;
        } catch (SetupException e) {
            err.println("check failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("check failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("check failed: interrupted");
            return 1;
        }
    }

    /** Posts the test event as VOD would: X-VOD-TIMESTAMP and X-VOD-SIGNATURE over the configured URL. */
    private void send(String sendTo, String callbackUrl, String key, String jobId) throws SetupException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sendTo)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestEvents.event(jobId)));
        if (key != null) {
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            request.header("X-VOD-TIMESTAMP", timestamp)
                    .header("X-VOD-SIGNATURE", CallbackAuthenticator.signature(callbackUrl, timestamp, key));
        } else {
            err.println("no hub.callback.auth-key: the test event goes unsigned (VOD signs every callback once setup ran)");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SetupException("callback: " + sendTo + " cannot be reached (" + e.getClass().getSimpleName()
                    + "); is the hub running, and is the URL the one VOD calls?");
        }
        if (response.statusCode() != 200) {
            String hint = response.statusCode() == 401
                    ? "; the hub refused the signature: hub.callback.url must be exactly the URL VOD has, and hub.callback.auth-key its AuthKey (run setup again)"
                    : response.statusCode() == 403 ? "; this address is not in hub.callback.allowed-cidrs" : "";
            throw new SetupException("callback: " + sendTo + " answered HTTP " + response.statusCode() + " "
                    + oneLine(response.body()) + hint + " (VOD only counts a 200)");
        }
        out.println("callback  accepted  test event " + jobId + " (HTTP 200 from " + sendTo + ")");
    }

    /** Polls the event status until every destination is final or the time is up; prints and judges. */
    private int follow(String management, String token, String jobId, Duration timeout)
            throws SetupException, IOException, InterruptedException {
        URI uri = URI.create(management + "/observe/events?job=" + URLEncoder.encode(jobId, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode event = null;
        while (true) {
            event = firstEvent(status(uri, token));
            boolean settled = event != null && event.path("destinations").size() > 0;
            for (JsonNode destination : event == null ? List.<JsonNode>of() : iterable(event.path("destinations"))) {
                settled &= FINAL.contains(destination.path("state").asText());
            }
            if (settled || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(250);
        }
        if (event == null) {
            throw new SetupException("the hub answered 200 but GET /observe/events?job=" + jobId
                    + " shows no event after " + timeout.toSeconds() + " s; is " + management + " the management port of the same hub?");
        }
        List<String> failed = new ArrayList<>();
        for (JsonNode destination : iterable(event.path("destinations"))) {
            String name = destination.path("name").asText();
            String state = destination.path("state").asText();
            int attempts = destination.path("attempts").asInt();
            String error = destination.path("lastError").isNull() ? null : destination.path("lastError").asText(null);
            boolean ok = "done".equals(state) || "skipped".equals(state);
            out.printf("%-9s %-9s %d attempt%s%s%n", name, ok ? state : state.toUpperCase(), attempts, attempts == 1 ? "" : "s",
                    error == null ? "" : "  last error: " + oneLine(error));
            if (!ok) {
                failed.add(name + " (" + state + ")");
            }
        }
        if (event.path("destinations").isEmpty()) {
            throw new SetupException("the test event reached no destination: check hub.destinations");
        }
        if (!failed.isEmpty()) {
            err.println("check failed: not delivered to " + String.join(", ", failed)
                    + (System.nanoTime() > deadline ? " within " + timeout.toSeconds() + " s" : ""));
            return 1;
        }
        out.println("check passed: test event " + jobId + " delivered to every destination");
        return 0;
    }

    private JsonNode status(URI uri, String token) throws SetupException, IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SetupException("event status: " + uri.getScheme() + "://" + uri.getAuthority()
                    + " cannot be reached; give the hub's management port with --management-url");
        }
        switch (response.statusCode()) {
            case 200:
                return JSON.readTree(response.body());
            case 401:
                throw new SetupException("event status: the management token was refused (401); give hub.management.token with --token");
            case 403:
                throw new SetupException("event status: the hub has no hub.management.token set, so GET /observe/events is off (403)");
            case 404:
                throw new SetupException("event status: this hub has no GET /observe/events (404); it is older than check");
            default:
                throw new SetupException("event status: HTTP " + response.statusCode() + " " + oneLine(response.body()));
        }
    }

    private static JsonNode firstEvent(JsonNode answer) {
        JsonNode events = answer.path("events");
        return events.isArray() && events.size() > 0 ? events.get(0) : null;
    }

    private static Iterable<JsonNode> iterable(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private void usage() {
        err.println(String.join("\n",
                "usage: java -jar target/smarttag-hub.jar check [options]",
                "Sends a signed test event (JobId smarttag-check-...) to the hub and reports each destination.",
                "Reads hub.callback.url, hub.callback.auth-key, hub.management.port and hub.management.token",
                "from HUB_* environment variables or application.properties, as the hub does; options override them:",
                "  --callback-url URL       the URL VOD calls (and the signature covers)",
                "  --auth-key KEY           the callback AuthKey",
                "  --send-to URL            post there instead (e.g. http://localhost:8080/callbacks/vod behind a proxy)",
                "  --management-url URL     the hub's management port (default http://127.0.0.1:<hub.management.port>)",
                "  --token TOKEN            hub.management.token",
                "  --timeout-seconds N      how long to wait for every destination (default 60)"));
    }
}
