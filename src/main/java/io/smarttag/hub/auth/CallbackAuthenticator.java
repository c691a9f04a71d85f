package io.smarttag.hub.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;

/**
 * VOD HTTP callback authentication: X-VOD-SIGNATURE = md5hex(CallbackURL|X-VOD-TIMESTAMP|key).
 * The body is not signed (VOD's scheme), so this proves the sender knows the key, not that the
 * body is intact. A previous key stays valid during a rotation.
 */
public class CallbackAuthenticator {

    private final String callbackUrl;
    private final String key;
    private final String previousKey;
    private final long maxAgeSeconds;
    private final Clock clock;

    public CallbackAuthenticator(String callbackUrl, String key, String previousKey, long maxAgeSeconds, Clock clock) {
        this.callbackUrl = callbackUrl == null ? "" : callbackUrl;
        this.key = key == null ? "" : key;
        this.previousKey = previousKey == null ? "" : previousKey;
        this.maxAgeSeconds = maxAgeSeconds;
        this.clock = clock;
    }

    public CallbackAuthenticator(String callbackUrl, String key, String previousKey, long maxAgeSeconds) {
        this(callbackUrl, key, previousKey, maxAgeSeconds, Clock.systemUTC());
    }

    public boolean isEnabled() {
        return !key.isBlank();
    }

    public void verify(String timestamp, String signature) throws UnauthorizedException {
        if (!isEnabled()) {
            return;
        }
        if (timestamp == null || timestamp.isBlank()) {
            throw new UnauthorizedException("missing X-VOD-TIMESTAMP header");
        }
        if (signature == null || signature.isBlank()) {
            throw new UnauthorizedException("missing X-VOD-SIGNATURE header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new UnauthorizedException("X-VOD-TIMESTAMP is not a UNIX time in seconds");
        }
        if (maxAgeSeconds > 0 && Math.abs(clock.millis() / 1000 - seconds) > maxAgeSeconds) {
            throw new UnauthorizedException("stale timestamp: X-VOD-TIMESTAMP is more than " + maxAgeSeconds + " s from now");
        }
        byte[] given = signature.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!matches(given, timestamp.trim(), key) && (previousKey.isBlank() || !matches(given, timestamp.trim(), previousKey))) {
            throw new UnauthorizedException("X-VOD-SIGNATURE does not match");
        }
    }

    private boolean matches(byte[] given, String timestamp, String candidateKey) {
        byte[] expected = signature(callbackUrl, timestamp, candidateKey).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    public static String signature(String url, String timestamp, String key) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] digest = md5.digest((url + "|" + timestamp + "|" + key).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "CallbackAuthenticator[" + (isEnabled() ? "enabled" : "disabled") + "]";
    }
}
