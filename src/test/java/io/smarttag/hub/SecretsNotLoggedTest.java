package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.mns.MnsTestServer;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hub as a process with every kind of secret configured, and every one of them failing or in
 * use (wrong S3 secret, unreachable SMTP with a password, wrong MNS secret, signed callbacks):
 * none of the secrets appears anywhere in its log.
 */
class SecretsNotLoggedTest {

    @Test
    void noConfiguredSecretAppearsInTheLog() throws Exception {
        List<String> secrets = List.of("CallbackKey9Zq7", "CallbackOldKey3Wx", "DbPassw0rd-7781", "S3Secret-55aa19",
                "SmtpPassw0rd-4412", "MnsSecret-90ffe1", "MgmtToken-3c1e77");
        Path home = Files.createTempDirectory("secrets");
        try (MnsTestServer mns = new MnsTestServer("ak-visible", "the-real-mns-secret")) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("hub.callback.url", "http://hub.example.com/callbacks/vod");
            props.put("hub.callback.auth-key", secrets.get(0));
            props.put("hub.callback.auth-key-previous", secrets.get(1));
            props.put("hub.db.url", "jdbc:h2:file:" + home.resolve("db/smarttag") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
            props.put("hub.db.user", "hubuser");
            props.put("hub.db.password", secrets.get(2));
            props.put("hub.archive.bucket", TestServers.newBucket());
            props.put("hub.archive.s3.endpoint", TestServers.s3Endpoint());
            props.put("hub.archive.s3.access-key", TestServers.S3_ACCESS_KEY);
            props.put("hub.archive.s3.secret-key", secrets.get(3));
            props.put("hub.alert.smtp.host", "127.0.0.1");
            props.put("hub.alert.smtp.port", String.valueOf(TestServers.freePort()));
            props.put("hub.alert.smtp.user", "hub");
            props.put("hub.alert.smtp.password", secrets.get(4));
            props.put("hub.mns.queue", "secrets");
            props.put("hub.mns.account-endpoint", mns.endpoint());
            props.put("hub.mns.region", "cn-shanghai");
            props.put("hub.mns.access-key-id", "ak-visible");
            props.put("hub.mns.access-key-secret", secrets.get(5));
            props.put("hub.mns.wait-seconds", "1");
            props.put("hub.management.token", secrets.get(6));
            int managementPort = TestServers.freePort();
            props.put("hub.management.port", String.valueOf(managementPort));
            props.put("hub.retry.initial-delay-ms", "200");

            HubProcess hub = HubProcess.start(home, props);
            try {
                String ts = String.valueOf(System.currentTimeMillis() / 1000);
                String signature = CallbackAuthenticator.signature("http://hub.example.com/callbacks/vod", ts, secrets.get(0));
                assertEquals(200, hub.post(Samples.seed(), "X-VOD-TIMESTAMP", ts, "X-VOD-SIGNATURE", signature).statusCode());
                assertEquals(200, hub.post(Samples.fail(), "X-VOD-TIMESTAMP", ts, "X-VOD-SIGNATURE", signature).statusCode());
                assertEquals(401, hub.post(Samples.seed(), "X-VOD-TIMESTAMP", ts, "X-VOD-SIGNATURE", "0".repeat(32)).statusCode());
                assertEquals(400, hub.post("{not json".getBytes(), "X-VOD-TIMESTAMP", ts, "X-VOD-SIGNATURE", signature).statusCode());
                HttpResponse<String> replay = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + managementPort + "/observe/replay?all=true"))
                        .header("Authorization", "Bearer " + secrets.get(6)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, replay.statusCode(), replay.body());
                Thread.sleep(4000); // archive and alert retries fail, MNS rejects the signature: all of it logged
            } finally {
                hub.terminate(Duration.ofSeconds(60));
            }
        }
        String log = Files.readString(home.resolve("hub.log"));
        assertTrue(log.contains("will be retried") && log.contains("archive: ") && log.contains("alert: "), "the failures were logged");
        assertTrue(log.contains("MNS rejected our credentials"), "the MNS auth failure was logged");
        for (String secret : secrets) {
            assertFalse(log.contains(secret), "secret " + secret.substring(0, 4) + "... found in the log");
        }
        System.out.printf("secrets: %d configured secrets, %d log lines checked, none found%n", secrets.size(), log.lines().count());
    }
}
