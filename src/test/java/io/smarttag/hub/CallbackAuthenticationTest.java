package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VOD callback authentication (X-VOD-TIMESTAMP / X-VOD-SIGNATURE) with key rotation and a timestamp window. */
class CallbackAuthenticationTest {

    private static final String URL = "https://hub.example.com/callbacks/vod";
    private static final String KEY = "Key2026abc";
    private static final String PREVIOUS = "Key2025xyz";
    private static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.builder()
                .property("hub.callback.url", URL)
                .property("hub.callback.auth-key", KEY)
                .property("hub.callback.auth-key-previous", PREVIOUS)
                .property("hub.callback.max-age-seconds", "300")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    private static String now() {
        return String.valueOf(System.currentTimeMillis() / 1000);
    }

    private HttpResponse<String> postSigned(byte[] event, String timestamp, String key) throws Exception {
        return hub.post(event, "X-VOD-TIMESTAMP", timestamp,
                "X-VOD-SIGNATURE", CallbackAuthenticator.signature(URL, timestamp, key));
    }

    @Test
    void correctlySignedCallbackIsAccepted() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "signed-1");
        assertEquals(200, postSigned(event, now(), KEY).statusCode());
        assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'signed-1'"));
    }

    @Test
    void previousKeyIsAcceptedDuringRotation() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "signed-previous");
        assertEquals(200, postSigned(event, now(), PREVIOUS).statusCode());
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'signed-previous'"));
    }

    @Test
    void wrongSignatureIs401AndNothingIsStored() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "bad-signature");
        HttpResponse<String> response = postSigned(event, now(), "WrongKey1");
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("\"error\":\"unauthorized\""), response.body());
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'bad-signature'"));
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_quarantine"));
    }

    @Test
    void staleTimestampIs401EvenWithTheRightKey() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "stale");
        String old = String.valueOf(System.currentTimeMillis() / 1000 - 3600);
        HttpResponse<String> response = postSigned(event, old, KEY);
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("stale"), response.body());
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'stale'"));
    }

    @Test
    void unsignedCallbackIs401WhenAKeyIsConfigured() throws Exception {
        HttpResponse<String> response = hub.post(Samples.with(Samples.seed(), "JobId", "unsigned"));
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("X-VOD-"), response.body());
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'unsigned'"));
    }
}
