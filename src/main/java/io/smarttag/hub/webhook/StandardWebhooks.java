package io.smarttag.hub.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs outgoing webhooks the Standard Webhooks way (https://www.standardwebhooks.com, spec in
 * github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md): HMAC-SHA256 over
 * {@code id + "." + timestamp + "." + body}, sent as {@code webhook-signature: v1,<base64>} next to
 * {@code webhook-id} and {@code webhook-timestamp}, so a receiver can verify with any
 * Standard Webhooks library.
 *
 * <p>The secret:
 * <ul>
 *   <li>{@code whsec_<base64>}: the spec's form; the key is the base64-decoded part. Use this form
 *       for receivers that verify with a Standard Webhooks (or Svix) library.</li>
 *   <li>any other non-empty string: the key is that string's UTF-8 bytes, for receivers that
 *       configure a plain shared secret. Note that the reference libraries base64-decode a secret
 *       given without the prefix, so such a receiver must compute the HMAC itself.</li>
 *   <li>null or empty: signing is off ({@link #isEnabled()} false) and {@link #headers} sends only
 *       the id and timestamp.</li>
 * </ul>
 *
 * <p>Thread-safe: the key is immutable and each call gets its own {@link Mac}.
 */
public final class StandardWebhooks {

    public static final String SECRET_PREFIX = "whsec_";
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    /** @throws IllegalArgumentException if a {@code whsec_} secret is not valid base64 or is empty */
    public StandardWebhooks(String secret) {
        this.key = secret == null || secret.isEmpty() ? null : new SecretKeySpec(keyBytes(secret), HMAC);
    }

    private static byte[] keyBytes(String secret) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            return secret.getBytes(StandardCharsets.UTF_8);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            // Not e: its message could quote part of the secret, and this ends up in logs.
            throw new IllegalArgumentException("webhook secret starts with " + SECRET_PREFIX
                    + " but the rest is not base64");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("webhook secret " + SECRET_PREFIX + " has an empty key");
        }
        return key;
    }

    public boolean isEnabled() {
        return key != null;
    }

    /**
     * {@code v1,<base64 HMAC-SHA256>} of {@code id.timestamp.body}; the body bytes are signed exactly as
     * given, so they must be the bytes sent.
     *
     * @throws IllegalStateException if signing is off
     * @throws IllegalArgumentException if the id is empty or has a '.', whitespace or a non-ASCII character
     */
    public String signature(String id, long timestampSeconds, byte[] body) {
        if (key == null) {
            throw new IllegalStateException("webhook signing is off (no secret)");
        }
        checkId(id);
        checkTimestamp(timestampSeconds);
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is a required JDK algorithm; this cannot happen on a conforming JVM.
            throw new IllegalStateException(e);
        }
    }

    /** The three Standard Webhooks headers, or only id and timestamp when signing is off. */
    public Map<String, String> headers(String id, long timestampSeconds, byte[] body) {
        checkId(id);
        checkTimestamp(timestampSeconds);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID_HEADER, id);
        headers.put(TIMESTAMP_HEADER, Long.toString(timestampSeconds));
        if (key != null) {
            headers.put(SIGNATURE_HEADER, signature(id, timestampSeconds, body));
        }
        return Collections.unmodifiableMap(headers);
    }

    /**
     * The spec says the id must not contain '.': it is the delimiter of the signed content, so an id
     * with one could make two different (id, timestamp) pairs sign the same bytes. It also goes into
     * a header, so it must be visible ASCII.
     */
    private static void checkId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("webhook id is empty");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '.' || c <= ' ' || c > '~') {
                throw new IllegalArgumentException("webhook id may only hold visible ASCII other than '.'");
            }
        }
    }

    private static void checkTimestamp(long timestampSeconds) {
        if (timestampSeconds < 0) {
            throw new IllegalArgumentException("webhook timestamp is negative");
        }
    }
}
