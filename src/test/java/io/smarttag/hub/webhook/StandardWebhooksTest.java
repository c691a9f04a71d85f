package io.smarttag.hub.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.StandardWebhooksVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Standard Webhooks signing: the spec's vector, tampering, key forms, and the reference verifier. */
class StandardWebhooksTest {

    /*
     * The published vector, from github.com/standard-webhooks/standard-webhooks,
     * libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java (verifyWebhookSignWorks)
     * and libraries/php/tests/WebhookTest.php (testSignFunctionWorks), identical in both.
     */
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330L;
    private static final byte[] SPEC_PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void reproducesTheSpecTestVector() {
        assertEquals(SPEC_SIGNATURE, new StandardWebhooks(SPEC_SECRET).signature(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD));
    }

    @Test
    void referenceVerifierAcceptsTheSpecTestVector() {
        Map<String, String> headers = Map.of("webhook-id", SPEC_ID, "webhook-timestamp", Long.toString(SPEC_TIMESTAMP),
                "webhook-signature", SPEC_SIGNATURE);
        assertTrue(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP));
        assertFalse(StandardWebhooksVerifier.verify("whsec_" + Base64.getEncoder().encodeToString(new byte[24]),
                headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP), "another key");
    }

    @Test
    void changingOneByteOfTheBodyChangesTheSignature() {
        StandardWebhooks signer = new StandardWebhooks(SPEC_SECRET);
        byte[] tampered = SPEC_PAYLOAD.clone();
        tampered[tampered.length - 2]++;
        assertNotEquals(SPEC_SIGNATURE, signer.signature(SPEC_ID, SPEC_TIMESTAMP, tampered));

        Map<String, String> headers = signer.headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD);
        assertFalse(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, tampered, 300, SPEC_TIMESTAMP));
    }

    @Test
    void aSecretWithoutThePrefixIsUsedAsUtf8Bytes() {
        String plain = "shared-secret-ü";
        String asWhsec = "whsec_" + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        StandardWebhooks signer = new StandardWebhooks(plain);
        assertTrue(signer.isEnabled());
        assertEquals(new StandardWebhooks(asWhsec).signature("msg_1", 1_700_000_000L, SPEC_PAYLOAD),
                signer.signature("msg_1", 1_700_000_000L, SPEC_PAYLOAD));
        assertTrue(StandardWebhooksVerifier.verify(plain, signer.headers("msg_1", 1_700_000_000L, SPEC_PAYLOAD),
                SPEC_PAYLOAD, 300, 1_700_000_000L));
    }

    @Test
    void headersCarryIdTimestampAndSignatureThatVerify() {
        long now = Instant.now().getEpochSecond();
        Map<String, String> headers = new StandardWebhooks(SPEC_SECRET).headers("job-42", now, SPEC_PAYLOAD);
        assertEquals(List.of("webhook-id", "webhook-timestamp", "webhook-signature"), List.copyOf(headers.keySet()));
        assertEquals("job-42", headers.get("webhook-id"));
        assertEquals(Long.toString(now), headers.get("webhook-timestamp"));
        assertTrue(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300));
    }

    @Test
    void verifierChecksTheToleranceAndAcceptsAnyOfSeveralSignatures() {
        Map<String, String> headers = new HashMap<>(new StandardWebhooks(SPEC_SECRET).headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD));
        assertFalse(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP + 301));
        assertFalse(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP - 301));
        // Key rotation: old and new signature side by side, plus a version this verifier does not know.
        headers.put("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,AAAA " + SPEC_SIGNATURE);
        assertTrue(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP + 300));
        headers.put("webhook-signature", "v2," + SPEC_SIGNATURE.substring(3));
        assertFalse(StandardWebhooksVerifier.verify(SPEC_SECRET, headers, SPEC_PAYLOAD, 300, SPEC_TIMESTAMP));
    }

    @Test
    void noSecretMeansUnsignedHeaders() {
        for (String secret : new String[] {null, ""}) {
            StandardWebhooks off = new StandardWebhooks(secret);
            assertFalse(off.isEnabled());
            assertEquals(Map.of("webhook-id", "job-1", "webhook-timestamp", "5"), off.headers("job-1", 5, SPEC_PAYLOAD));
            assertThrows(IllegalStateException.class, () -> off.signature("job-1", 5, SPEC_PAYLOAD));
        }
    }

    @Test
    void rejectsABadWhsecSecretWithoutQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StandardWebhooks("whsec_not*base64-SECRETPART"));
        assertFalse(e.getMessage().contains("SECRETPART"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StandardWebhooks("whsec_"));
    }

    @Test
    void rejectsIdsThatWouldBreakTheSignedContentOrTheHeader() {
        StandardWebhooks signer = new StandardWebhooks(SPEC_SECRET);
        for (String id : new String[] {"", "a.b", "a b", "a\r\nX-Evil: 1", "é"}) {
            assertThrows(IllegalArgumentException.class, () -> signer.headers(id, 1, SPEC_PAYLOAD), id);
        }
        assertThrows(IllegalArgumentException.class, () -> signer.signature("a", -1, SPEC_PAYLOAD));
    }

    @Test
    void oneSignerServesManyThreads() {
        StandardWebhooks signer = new StandardWebhooks(SPEC_SECRET);
        assertTrue(IntStream.range(0, 2000).parallel()
                .mapToObj(i -> signer.signature(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD))
                .allMatch(SPEC_SIGNATURE::equals));
    }
}
