package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.setup.AuthKeys;
import io.smarttag.hub.setup.SetupCommand;
import io.smarttag.hub.testsupport.LogCapture;
import io.smarttag.hub.testsupport.VodOpenApiFake;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The setup command against a local fake of VOD's OpenAPI that checks every signature as VOD
 * does (VodOpenApiFake) and the MNS-protocol test server: HTTP and MNS setup, the event types
 * already enabled kept, a key rotation keeping the old key, a wrong secret as one line, and a
 * dry run that sends nothing. No secret appears in what setup prints or logs.
 */
class VodSetupTest {

    private static final String AK = "LTAI5tSetupTestKeyId";
    private static final String SECRET = "s3cretSetupTestValue0123456789";
    private static final String APP = "app-1000000";
    private static final String URL = "https://hub.example.com/callbacks/vod";

    private VodOpenApiFake vod;
    private LogCapture logs;
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeEach
    void start() throws Exception {
        vod = new VodOpenApiFake(AK, SECRET);
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        vod.close();
        logs.close();
    }

    private Run setupWithSecret(String secret, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("vod", "--endpoint", vod.endpoint()));
        all.addAll(List.of(args));
        int code = new SetupCommand(Map.of("ALIBABA_CLOUD_ACCESS_KEY_ID", AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(all);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run setup(String... args) {
        return setupWithSecret(SECRET, args);
    }

    private void assertNoSecret(Run run, String... secrets) {
        for (String secret : secrets) {
            assertFalse(run.all().contains(secret), "printed a secret: " + run.all());
            assertTrue(logs.lines().stream().noneMatch(line -> line.contains(secret)), "logged a secret");
        }
    }

    private static Properties envFile(Path file) throws Exception {
        Properties values = new Properties();
        for (String line : Files.readAllLines(file)) {
            values.setProperty(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return values;
    }

    @Test
    void httpSetupKeepsTheEnabledEventTypesAddsAiCompleteAndWritesTheHubProperties() throws Exception {
        vod.preset(APP, Map.of("CallbackType", "HTTP", "CallbackURL", "https://old.example.com/hook",
                "EventTypeList", "FileUploadComplete,StreamTranscodeComplete", "AuthSwitch", "off"));
        Path out = dir.resolve("hub.env");

        Run run = setup("--callback-url", URL, "--out", out.toString());

        assertEquals(0, run.code(), run.all());
        Map<String, String> set = vod.settings(APP);
        assertEquals("HTTP", set.get("CallbackType"));
        assertEquals(URL, set.get("CallbackURL"));
        assertEquals("on", set.get("AuthSwitch"));
        assertEquals("FileUploadComplete,StreamTranscodeComplete,AIComplete", set.get("EventTypeList"));
        String key = set.get("AuthKey");
        assertNull(AuthKeys.problem(key), key);
        assertEquals(32, key.length());
        assertEquals(List.of("GetMessageCallback", "SetMessageCallback", "GetMessageCallback"), vod.actions(),
                "reads, sets, reads back");

        Properties written = envFile(out);
        assertEquals(URL, written.getProperty("HUB_CALLBACK_URL"));
        assertEquals(key, written.getProperty("HUB_CALLBACK_AUTH_KEY"), "the hub gets the key VOD has");
        assertNull(written.getProperty("HUB_CALLBACK_AUTH_KEY_PREVIOUS"), "no key was replaced");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertNoSecret(run, SECRET, key);
    }

    @Test
    void withoutAFileThePropertiesAreEnvironmentLinesOnStandardOutput() {
        Run run = setup("--callback-url", URL);

        assertEquals(0, run.code(), run.all());
        String key = vod.settings(APP).get("AuthKey");
        assertEquals(List.of("HUB_CALLBACK_URL=" + URL, "HUB_CALLBACK_AUTH_KEY=" + key), run.out().lines().toList());
        assertEquals("AIComplete", vod.settings(APP).get("EventTypeList"), "nothing was enabled before");
        assertNoSecret(run, SECRET);
        assertFalse(run.err().contains(key), "progress lines never show the key: " + run.err());
    }

    @Test
    void rotatingTheKeyKeepsTheOldOneAsPreviousAndRunningAgainKeepsTheKey() throws Exception {
        String old = "OldKey2025abcXYZ";
        vod.preset(APP, Map.of("CallbackType", "HTTP", "CallbackURL", URL, "EventTypeList", "AIComplete",
                "AuthSwitch", "on", "AuthKey", old));
        Path properties = dir.resolve("application.properties");
        Files.writeString(properties, "# ops' own file\nhub.destinations = database\nhub.callback.auth-key = stale\n");

        Run again = setup("--callback-url", URL, "--out", properties.toString());
        assertEquals(0, again.code(), again.all());
        assertEquals(old, vod.settings(APP).get("AuthKey"), "a second run keeps the key the hub already has");

        Run rotate = setup("--callback-url", URL, "--rotate-key", "--out", properties.toString());

        assertEquals(0, rotate.code(), rotate.all());
        String key = vod.settings(APP).get("AuthKey");
        assertNotEquals(old, key);
        Properties file = new Properties();
        file.load(Files.newBufferedReader(properties));
        assertEquals(key, file.getProperty("hub.callback.auth-key"));
        assertEquals(old, file.getProperty("hub.callback.auth-key-previous"), "callbacks VOD signed with the old key still pass");
        assertEquals("database", file.getProperty("hub.destinations"), "the rest of the file is kept");
        assertTrue(Files.readString(properties).startsWith("# ops' own file\n"));
        assertNoSecret(rotate, SECRET, key, old);
    }

    @Test
    void aGivenKeyIsCheckedAgainstVodsRulesBeforeAnythingIsSent() {
        Run lower = setup("--callback-url", URL, "--auth-key", "onlylowercase123");
        Run tooLong = setup("--callback-url", URL, "--auth-key", "Abc1" + "x".repeat(29));
        Run longUrl = setup("--callback-url", "https://hub.example.com/" + "p".repeat(240));

        assertEquals(2, lower.code());
        assertTrue(lower.err().contains("must mix upper case letters, lower case letters and digits"), lower.err());
        assertEquals(2, tooLong.code());
        assertTrue(tooLong.err().contains("at most 32"), tooLong.err());
        assertEquals(2, longUrl.code());
        assertTrue(longUrl.err().contains("at most 256"), longUrl.err());
        assertEquals(0, vod.requests());
    }

    @Test
    void theFakeRefusesWhatVodRefuses() {
        // the guard does not rest on setup's own check: the OpenAPI itself says no, in VOD's words
        Run run = setup("--callback-url", URL, "--auth-key", "Good1Key");
        assertEquals(0, run.code(), run.all());
        io.smarttag.hub.setup.VodNotifications direct = new io.smarttag.hub.setup.VodNotifications("cn-shanghai",
                vod.endpoint(), APP, new io.smarttag.hub.setup.Credentials(AK, SECRET, null), null);
        io.smarttag.hub.setup.SetupException refused = org.junit.jupiter.api.Assertions.assertThrows(
                io.smarttag.hub.setup.SetupException.class, () -> direct.write(new io.smarttag.hub.setup.NotificationSettings(
                        "HTTP", URL, "AIComplete", "on", "nodigitsHere", null, null)));
        assertTrue(refused.getMessage().startsWith("VOD SetMessageCallback failed: InvalidParameter.AuthKey (RequestId "),
                refused.getMessage());
        assertEquals("Good1Key", vod.settings(APP).get("AuthKey"), "a refused call changes nothing");
    }

    @Test
    void aWrongSecretIsOneClearLineAndChangesNothing() {
        String wrong = "WrongSecretValue987654321";
        Run run = setupWithSecret(wrong, "--callback-url", URL);

        assertEquals(1, run.code());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("setup failed: VOD GetMessageCallback failed: SignatureDoesNotMatch (RequestId "), run.err());
        assertTrue(run.err().contains("check ALIBABA_CLOUD_ACCESS_KEY_SECRET"), run.err());
        assertEquals("", run.out());
        assertEquals(List.of("SignatureDoesNotMatch"), vod.rejections());
        assertTrue(vod.settings(APP).isEmpty());
        assertNoSecret(run, wrong, SECRET);
    }

    @Test
    void mnsSetupCreatesTheQueueAndPointsVodAtIt() throws Exception {
        vod.preset(APP, Map.of("CallbackType", "HTTP", "CallbackURL", URL, "EventTypeList", "FileUploadComplete",
                "AuthSwitch", "on", "AuthKey", "OldKey2025abc"));
        try (MnsTestServer mns = new MnsTestServer(AK, SECRET)) {
            String[] args = {"--mns-queue", "vod-events", "--mns-endpoint", mns.endpoint(), "--mns-region", "cn-shanghai"};

            Run run = setup(args);

            assertEquals(0, run.code(), run.all());
            assertEquals(Map.of("DelaySeconds", 0L, "MaximumMessageSize", 65_536L, "MessageRetentionPeriod", 604_800L,
                    "VisibilityTimeout", 120L, "PollingWaitSeconds", 0L), mns.queueAttributes("vod-events"));
            assertEquals(0, mns.rejectedSignatures(), "the official SDK signed the CreateQueue");
            Map<String, String> set = vod.settings(APP);
            assertEquals("MNS", set.get("CallbackType"));
            assertEquals(mns.endpoint(), set.get("MnsEndpoint"));
            assertEquals("vod-events", set.get("MnsQueueName"));
            assertEquals("FileUploadComplete,AIComplete", set.get("EventTypeList"));
            assertEquals(List.of("HUB_MNS_QUEUE=vod-events", "HUB_MNS_ACCOUNT_ENDPOINT=" + mns.endpoint(),
                    "HUB_MNS_REGION=cn-shanghai"), run.out().lines().toList());
            assertTrue(run.err().contains("created"), run.err());

            Run again = setup(args);
            assertEquals(0, again.code(), "the same queue again is fine (204): " + again.all());
            assertTrue(again.err().contains("exists with the same attributes"), again.err());

            int sets = (int) vod.actions().stream().filter("SetMessageCallback"::equals).count();
            Run other = setup("--mns-queue", "vod-events", "--mns-endpoint", mns.endpoint(), "--retention-days", "3");
            assertEquals(1, other.code());
            assertEquals(1, other.err().lines().count(), other.err());
            assertTrue(other.err().contains("MNS queue 'vod-events' already exists with other attributes (MNS QueueAlreadyExist"),
                    other.err());
            assertEquals(604_800L, mns.queueAttributes("vod-events").get("MessageRetentionPeriod"), "the queue is left as it was");
            assertEquals(sets, vod.actions().stream().filter("SetMessageCallback"::equals).count(), "VOD is not touched");
            assertNoSecret(run, SECRET);
        }
    }

    @Test
    void aDryRunPrintsEveryRequestMaskedAndSendsNothing() throws Exception {
        String key = "DryRun2026KeyAbc";
        Path out = dir.resolve("hub.env");
        try (MnsTestServer mns = new MnsTestServer(AK, SECRET)) {
            Run http = setup("--callback-url", URL, "--auth-key", key, "--out", out.toString(), "--dry-run");
            Run queue = setup("--mns-queue", "vod-events", "--mns-endpoint", mns.endpoint(), "--dry-run");

            assertEquals(0, http.code(), http.all());
            assertEquals(0, queue.code(), queue.all());
            assertEquals(0, vod.requests());
            assertEquals(0, mns.requests());
            assertFalse(Files.exists(out));
            List<String> requests = http.out().lines().filter(line -> line.startsWith("dry run: POST")).toList();
            assertEquals(3, requests.size(), http.out());
            assertTrue(requests.get(0).contains("Action=GetMessageCallback"), requests.get(0));
            assertTrue(requests.get(1).contains("Action=SetMessageCallback"), requests.get(1));
            assertTrue(requests.get(1).contains("CallbackURL=" + URL), requests.get(1));
            assertTrue(requests.get(1).contains("AuthSwitch=on"), requests.get(1));
            assertTrue(requests.get(1).contains("AuthKey=****(16 characters)"), requests.get(1));
            assertTrue(requests.get(1).contains("AccessKeyId=LTAI****"), requests.get(1));
            assertTrue(queue.out().contains("dry run: PUT " + mns.endpoint() + "/queues/vod-events MaximumMessageSize=65536"),
                    queue.out());
            assertTrue(queue.out().contains("CallbackType=MNS"), queue.out());
            assertNoSecret(http, SECRET, key, AK);
            assertNoSecret(queue, SECRET, AK);
        }
    }
}
