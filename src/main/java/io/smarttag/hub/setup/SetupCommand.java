package io.smarttag.hub.setup;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code java -jar target/smarttag-hub.jar setup vod ...}: points VOD's event notification at the
 * hub and writes the hub properties that go with it, so the two sides cannot disagree.
 * <ul>
 *   <li>HTTP ({@code --callback-url}): reads the current settings (GetMessageCallback), sets
 *   CallbackType=HTTP, the URL, AuthSwitch=on, the AuthKey and the event types already enabled
 *   plus AIComplete (SetMessageCallback), reads them back and compares, then writes
 *   hub.callback.url, hub.callback.auth-key and, when a key was replaced, the old one as
 *   hub.callback.auth-key-previous.</li>
 *   <li>MNS ({@code --mns-queue}, {@code --mns-endpoint}): creates the queue (MnsQueues), sets
 *   CallbackType=MNS with the endpoint and queue, reads back, writes hub.mns.queue,
 *   hub.mns.account-endpoint and hub.mns.region.</li>
 * </ul>
 * Progress goes to standard error, the properties to the file or standard output; secrets (the
 * AccessKey secret, the AuthKey in progress lines) are never printed, only the properties the
 * hub needs carry the AuthKey.
 */
public final class SetupCommand {

    private static final Set<String> VALUED = Set.of("region", "endpoint", "app-id", "callback-url", "auth-key", "out",
            "mns-queue", "mns-endpoint", "mns-region", "retention-days", "visibility-timeout-seconds");
    private static final Set<String> FLAGS = Set.of("dry-run", "rotate-key", "help");

    /**
     * Seconds a message stays invisible after a receive: far longer than accepting it takes (one
     * inbox insert), and the hub extends it while it works (hub.mns.visibility-extension-seconds);
     * short enough that a message a crashed hub took comes back within two minutes.
     */
    static final long DEFAULT_VISIBILITY_TIMEOUT = 120;
    /** Days MNS keeps a message nobody deleted: its maximum, 7, to outlast a long hub outage. */
    static final long DEFAULT_RETENTION_DAYS = 7;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public SetupCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code setup <args>}; returns the exit code (0 done, 1 failed, 2 wrong usage). */
    public int run(List<String> args) {
        try {
            if (args.isEmpty() || !"vod".equals(args.get(0)) || args.contains("--help")) {
                usage();
                return args.contains("--help") ? 0 : 2;
            }
            CommandLine options = CommandLine.parse(args.subList(1, args.size()), VALUED, FLAGS);
            boolean http = options.get("callback-url") != null;
            boolean mns = options.get("mns-queue") != null;
            if (http == mns) {
                throw new CommandLine.UsageException("give either --callback-url (HTTP callbacks) or --mns-queue (an MNS queue)");
            }
            Credentials credentials = Credentials.fromEnvironment(env);
            String region = options.get("region", env.getOrDefault("ALIBABA_CLOUD_REGION_ID", "cn-shanghai"));
            PrintStream dryRun = options.flag("dry-run") ? out : null;
            VodNotifications vod = new VodNotifications(region, options.get("endpoint"),
                    options.get("app-id", "app-1000000"), credentials, dryRun);
            try {
                Map<String, String> properties = http ? http(options, vod) : mns(options, vod, region, credentials);
                return finish(options, properties);
            } finally {
                vod.close();
            }
        } catch (CommandLine.UsageException e) {
            err.println("setup: " + e.getMessage() + " (setup --help shows the options)");
            return 2;
        } catch (SetupException e) {
            err.println("setup failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("setup failed: could not write the hub properties: " + e.getMessage());
            return 1;
        }
    }

    private Map<String, String> http(CommandLine options, VodNotifications vod) throws SetupException {
        String url = options.get("callback-url");
        checkCallbackUrl(url);
        String givenKey = options.get("auth-key");
        if (givenKey != null && AuthKeys.problem(givenKey) != null) {
            throw new CommandLine.UsageException("--auth-key: " + AuthKeys.problem(givenKey));
        }
        boolean dryRun = options.flag("dry-run");
        NotificationSettings current = vod.read();
        String key = givenKey;
        if (key == null && !options.flag("rotate-key") && current.signsHttpCallbacks() && AuthKeys.problem(current.authKey()) == null) {
            key = current.authKey(); // running setup again keeps the key the hub already has
        }
        if (key == null) {
            key = AuthKeys.generate();
        }
        String previous = current.signsHttpCallbacks() && !current.authKey().equals(key) ? current.authKey() : null;
        String eventTypes = dryRun ? "<the types enabled now>," + NotificationSettings.AI_COMPLETE : current.eventTypesWithAiComplete();
        NotificationSettings wanted = new NotificationSettings("HTTP", url, eventTypes, "on", key, null, null);
        if (!dryRun && current.callbackType() != null && !"HTTP".equalsIgnoreCase(current.callbackType())) {
            err.println("VOD delivered events to MNS queue " + current.mnsQueueName() + "; from now on it sends HTTP callbacks instead");
        }
        vod.write(wanted);
        if (!dryRun) {
            compare(wanted, vod.read(), eventTypes);
            err.println("VOD (" + vod.endpoint() + ") sends HTTP callbacks to " + url + " for " + eventTypes
                    + ", signed with " + (previous != null ? "a new AuthKey (the old one stays accepted by the hub as hub.callback.auth-key-previous)"
                    : givenKey != null || !key.equals(current.authKey()) ? "a new AuthKey" : "its AuthKey, unchanged"));
        } else {
            vod.read();
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("hub.callback.url", url);
        properties.put("hub.callback.auth-key", key);
        if (previous != null) {
            properties.put("hub.callback.auth-key-previous", previous);
        }
        return properties;
    }

    private Map<String, String> mns(CommandLine options, VodNotifications vod, String region, Credentials credentials)
            throws SetupException {
        String queue = options.get("mns-queue");
        String endpoint = options.get("mns-endpoint");
        if (endpoint == null) {
            throw new CommandLine.UsageException("--mns-queue needs --mns-endpoint, the queue's public account endpoint,"
                    + " e.g. http://<accountId>.mns." + region + ".aliyuncs.com/");
        }
        if (!queue.matches("[A-Za-z][A-Za-z0-9-]{0,119}")) {
            throw new CommandLine.UsageException("--mns-queue: MNS queue names start with a letter and hold letters, digits and '-' (at most 120)");
        }
        long days = options.number("retention-days", DEFAULT_RETENTION_DAYS);
        long visibility = options.number("visibility-timeout-seconds", DEFAULT_VISIBILITY_TIMEOUT);
        if (days < 1 || days > 7) {
            throw new CommandLine.UsageException("--retention-days must be 1 to 7 (MNS keeps a message at most 7 days)");
        }
        if (visibility < 30 || visibility > 43_200) {
            throw new CommandLine.UsageException("--visibility-timeout-seconds must be 30 to 43200");
        }
        boolean dryRun = options.flag("dry-run");
        String mnsRegion = options.get("mns-region", region);
        String outcome = MnsQueues.create(endpoint, mnsRegion, credentials, queue,
                new MnsQueues.Attributes(days * 86_400, visibility), dryRun ? out : null);
        if (!dryRun) {
            err.println("MNS queue " + queue + ": " + ("created".equals(outcome) ? "created" : "exists with the same attributes"));
        }
        NotificationSettings current = vod.read();
        String eventTypes = dryRun ? "<the types enabled now>," + NotificationSettings.AI_COMPLETE : current.eventTypesWithAiComplete();
        NotificationSettings wanted = new NotificationSettings("MNS", null, eventTypes, null, null, endpoint, queue);
        if (!dryRun && "HTTP".equalsIgnoreCase(current.callbackType()) && current.callbackUrl() != null) {
            err.println("VOD sent HTTP callbacks to " + current.callbackUrl() + "; from now on it writes events to MNS queue " + queue + " instead");
        }
        vod.write(wanted);
        if (!dryRun) {
            compare(wanted, vod.read(), eventTypes);
            err.println("VOD (" + vod.endpoint() + ") writes " + eventTypes + " events to MNS queue " + queue + " at " + endpoint
                    + ". VOD must be authorized to write to MNS (Cloud Resource Access Authorization, role AliyunVODDefaultRole)."
                    + " Give the hub an AccessKey that may read the queue: HUB_MNS_ACCESS_KEY_ID and HUB_MNS_ACCESS_KEY_SECRET.");
        } else {
            vod.read();
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("hub.mns.queue", queue);
        properties.put("hub.mns.account-endpoint", endpoint);
        properties.put("hub.mns.region", mnsRegion);
        return properties;
    }

    /** VOD takes one http(s) URL of at most 256 bytes; the hub signs against exactly this text. */
    static void checkCallbackUrl(String url) {
        if (url.getBytes(StandardCharsets.UTF_8).length > 256) {
            throw new CommandLine.UsageException("--callback-url has " + url.getBytes(StandardCharsets.UTF_8).length
                    + " bytes; VOD takes at most 256");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.UsageException("--callback-url is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null || url.contains(",")) {
            throw new CommandLine.UsageException("--callback-url must be one http:// or https:// URL that VOD can reach,"
                    + " e.g. https://hub.example.com/callbacks/vod");
        }
    }

    /** What VOD answers after the change must be what was set; a difference names the field. */
    private static void compare(NotificationSettings wanted, NotificationSettings back, String eventTypes) throws SetupException {
        String field = null;
        if (!wanted.callbackType().equalsIgnoreCase(Objects.toString(back.callbackType(), ""))) {
            field = "CallbackType=" + back.callbackType();
        } else if (wanted.callbackUrl() != null && !wanted.callbackUrl().equals(back.callbackUrl())) {
            field = "CallbackURL=" + back.callbackUrl();
        } else if (wanted.authSwitch() != null && !wanted.authSwitch().equalsIgnoreCase(Objects.toString(back.authSwitch(), ""))) {
            field = "AuthSwitch=" + back.authSwitch();
        } else if (wanted.authKey() != null && !wanted.authKey().equals(back.authKey())) {
            field = "AuthKey " + Masks.secret(back.authKey()) + ", not the key setup set";
        } else if (wanted.mnsEndpoint() != null && !wanted.mnsEndpoint().equals(back.mnsEndpoint())) {
            field = "MnsEndpoint=" + back.mnsEndpoint();
        } else if (wanted.mnsQueueName() != null && !wanted.mnsQueueName().equals(back.mnsQueueName())) {
            field = "MnsQueueName=" + back.mnsQueueName();
        } else if (!back.eventTypes().contains("ALL") && !back.eventTypes().equals(new NotificationSettings(
                null, null, eventTypes, null, null, null, null).eventTypes())) {
            field = "EventTypeList=" + back.eventTypeList();
        }
        if (field != null) {
            throw new SetupException("VOD accepted SetMessageCallback but GetMessageCallback now shows " + field
                    + "; another change may have raced this one: run setup again, and check the VOD console");
        }
    }

    private int finish(CommandLine options, Map<String, String> properties) throws IOException {
        String file = options.get("out");
        if (options.flag("dry-run")) {
            out.println("dry run: nothing was sent; the hub properties would be" + (file == null ? "" : " written to " + file) + ":");
            properties.forEach((key, value) -> out.println("  " + key + " = " + (key.contains("auth-key") ? Masks.secret(value) : value)));
            return 0;
        }
        if (file == null) {
            HubPropertiesOutput.print(properties, out);
            err.println("Start the hub with these environment variables, then run: java -jar target/smarttag-hub.jar check");
        } else {
            HubPropertiesOutput.write(properties, Path.of(file));
            err.println("Wrote " + String.join(", ", properties.keySet()) + " to " + file
                    + ". Start (or restart) the hub with them, then run: java -jar target/smarttag-hub.jar check");
        }
        return 0;
    }

    private void usage() {
        err.println(String.join("\n",
                "usage: java -jar target/smarttag-hub.jar setup vod --callback-url URL [options]   (HTTP callbacks)",
                "       java -jar target/smarttag-hub.jar setup vod --mns-queue NAME --mns-endpoint URL [options]   (MNS queue)",
                "credentials: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET (ALIBABA_CLOUD_SECURITY_TOKEN for STS)",
                "options:",
                "  --region ID                      VOD region (default ALIBABA_CLOUD_REGION_ID or cn-shanghai)",
                "  --endpoint URL                   VOD OpenAPI endpoint instead of https://vod.<region>.aliyuncs.com/",
                "  --app-id ID                      VOD app (default app-1000000)",
                "  --auth-key KEY                   the AuthKey to set (default: keep VOD's, else a new random one)",
                "  --rotate-key                     set a new random AuthKey; the old one becomes hub.callback.auth-key-previous",
                "  --mns-region ID                  the queue's region (default --region)",
                "  --retention-days N               MNS message retention, 1 to 7 (default " + DEFAULT_RETENTION_DAYS + ")",
                "  --visibility-timeout-seconds N   MNS visibility timeout (default " + DEFAULT_VISIBILITY_TIMEOUT + ")",
                "  --out FILE                       write the hub properties to FILE (*.properties: hub.x = v; else HUB_X=v)",
                "                                   instead of printing them as environment lines",
                "  --dry-run                        print every request, secrets masked, and send nothing"));
    }
}
