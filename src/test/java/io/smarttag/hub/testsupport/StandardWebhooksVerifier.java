package io.smarttag.hub.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's check of a Standard Webhooks request, written apart from the hub's signer on purpose
 * (own key decoding, own HMAC, own header parsing): a test that signs and verifies with the same code
 * would pass with the same mistake on both sides. The spec vector in StandardWebhooksTest pins both.
 *
 * <p>Key convention, as the hub's: {@code whsec_<base64>} is base64-decoded, any other string is
 * used as UTF-8 bytes.
 */
public final class StandardWebhooksVerifier {

    private StandardWebhooksVerifier() {
    }

    /** {@link #verify(String, Map, byte[], long, long)} against the current time. */
    public static boolean verify(String secret, Map<String, String> headers, byte[] body, long toleranceSeconds) {
        return verify(secret, headers, body, toleranceSeconds, Instant.now().getEpochSecond());
    }

    /**
     * True when webhook-id, webhook-timestamp and webhook-signature (lower-case names) are present,
     * the timestamp is within toleranceSeconds of nowSeconds (either way), and at least one of the
     * space-separated {@code v1,} signatures matches; other versions are skipped.
     */
    public static boolean verify(String secret, Map<String, String> headers, byte[] body, long toleranceSeconds,
                                 long nowSeconds) {
        String id = headers.get("webhook-id");
        String timestamp = headers.get("webhook-timestamp");
        String signatures = headers.get("webhook-signature");
        if (secret == null || secret.isEmpty() || id == null || timestamp == null || signatures == null) {
            return false;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(nowSeconds - sentAt) > toleranceSeconds) {
            return false;
        }
        byte[] expected = hmac(key(secret), signedContent(id, timestamp, body));
        boolean match = false;
        for (String candidate : signatures.split(" ")) {
            if (!candidate.startsWith("v1,")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            // Constant-time per candidate, and no early exit, so timing does not tell which one matched.
            match |= MessageDigest.isEqual(expected, given);
        }
        return match;
    }

    private static byte[] key(String secret) {
        return secret.startsWith("whsec_")
                ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
                : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The header's timestamp text as sent, not a re-formatted number: that is what was signed. */
    private static byte[] signedContent(String id, String timestamp, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(id.getBytes(StandardCharsets.UTF_8));
        out.write('.');
        out.writeBytes(timestamp.getBytes(StandardCharsets.UTF_8));
        out.write('.');
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
