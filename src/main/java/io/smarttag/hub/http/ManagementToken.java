package io.smarttag.hub.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * hub.management.token, the one secret of the management port (replay, health detail, the
 * developer console, the operator page's login). Compared in constant time; never matches while
 * no token is configured, so an unset token turns those features off instead of opening them.
 */
public final class ManagementToken {

    private final byte[] token;

    public ManagementToken(String token) {
        this.token = token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    public boolean isSet() {
        return token.length > 0;
    }

    /** Whether the presented token is the configured one. */
    public boolean matches(String presented) {
        return isSet() && presented != null
                && MessageDigest.isEqual(token, presented.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether an Authorization header carries the token as a bearer token. */
    public boolean authorizes(String authorizationHeader) {
        return authorizationHeader != null && authorizationHeader.startsWith("Bearer ")
                && matches(authorizationHeader.substring(7));
    }
}
