package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.testsupport.VodOpenApiFake;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.Reader;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start for a real VOD account, against the fakes: from the shipped
 * configuration (no callback URL, no key), `java ... HubMain setup vod` as its own process with the
 * two Alibaba Cloud credentials in its environment, then the hub started with the properties
 * setup wrote (nothing else about callbacks), then an event signed the way VOD signs it with the settings
 * VOD now holds: 200, and delivered to the default destinations (database rows, archive file).
 */
class NewUserQuickStartTest {

    private static final String AK = "LTAI5tNewUserKeyId";
    private static final String SECRET = "NewUserSecretValue0123456789";

    @TempDir
    Path home;

    @Test
    void setupThenStartThenAVodSignedEventIsAcceptedAndDelivered() throws Exception {
        int port = TestServers.freePort();
        String url = "http://127.0.0.1:" + port + "/callbacks/vod";
        Path written = home.resolve("hub.properties");
        try (VodOpenApiFake vod = new VodOpenApiFake(AK, SECRET)) {
            String[] setup = HubProcess.runTool(HubMain.class,
                    Map.of("ALIBABA_CLOUD_ACCESS_KEY_ID", AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
                    "setup", "vod", "--endpoint", vod.endpoint(), "--callback-url", url, "--out", written.toString());
            assertEquals("0", setup[0], setup[1]);
            assertTrue(!setup[1].contains(SECRET), setup[1]);

            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(written)) {
                properties.load(in);
            }
            assertEquals(Set.of("hub.callback.url", "hub.callback.auth-key"), properties.stringPropertyNames());
            RunningHub.Builder builder = RunningHub.builder().property("hub.http.port", String.valueOf(port));
            properties.stringPropertyNames().forEach(name -> builder.property(name, properties.getProperty(name)));
            String jobId = "new-user-1";
            byte[] event = Samples.with(Samples.seed(), "JobId", jobId);
            try (RunningHub hub = builder.start()) {
                // VOD signs with what it holds now: its CallbackURL and AuthKey
                Map<String, String> vodHolds = vod.settings("app-1000000");
                String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
                String signature = CallbackAuthenticator.signature(vodHolds.get("CallbackURL"), timestamp, vodHolds.get("AuthKey"));

                assertEquals(401, hub.post(event).statusCode(), "the hub now wants a signature");
                HttpResponse<String> response = hub.post(event, "X-VOD-TIMESTAMP", timestamp, "X-VOD-SIGNATURE", signature);
                assertEquals(200, response.statusCode(), response.body());

                assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(60), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId),
                        "the database destination wrote the seed's 44 tag rows");
                assertEquals(1, hub.awaitCount(1, Duration.ofSeconds(60), RunningHub.DELIVERIES, jobId, "archive", "done"));
                assertEquals(1, archived(hub.home().resolve("archive"), jobId), "the archive destination wrote the raw event");
            }
        }
    }

    private static long archived(Path archive, String jobId) throws Exception {
        if (!Files.exists(archive)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(Files::isRegularFile).filter(file -> {
                try {
                    return Files.readString(file).contains(jobId);
                } catch (Exception e) {
                    return false;
                }
            }).count();
        }
    }
}
