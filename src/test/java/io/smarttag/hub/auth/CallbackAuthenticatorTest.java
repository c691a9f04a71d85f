package io.smarttag.hub.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** VOD's callback signature: md5hex(URL|timestamp|key), key rotation and the timestamp window. */
class CallbackAuthenticatorTest {

    private static final String URL = "https://www.example.com/your/callback";
    private static final Clock AT_VECTOR_TIME = Clock.fixed(Instant.ofEpochSecond(1519375990L + 10), ZoneOffset.UTC);

    @Test
    void documentedVector() {
        assertEquals("c72b60894140fa98920f1279219b7ed4", CallbackAuthenticator.signature(URL, "1519375990", "test123"));
    }

    @Test
    void acceptsTheCurrentAndThePreviousKeyInAnyHexCase() {
        CallbackAuthenticator auth = new CallbackAuthenticator(URL, "newKey1", "test123", 300, AT_VECTOR_TIME);
        assertDoesNotThrow(() -> auth.verify("1519375990", "C72B60894140FA98920F1279219B7ED4"));
        assertDoesNotThrow(() -> auth.verify("1519375990", CallbackAuthenticator.signature(URL, "1519375990", "newKey1")));
    }

    @Test
    void rejectsWrongMissingAndStale() {
        CallbackAuthenticator auth = new CallbackAuthenticator(URL, "test123", "", 300, AT_VECTOR_TIME);
        assertThrows(UnauthorizedException.class, () -> auth.verify("1519375990", "c72b60894140fa98920f1279219b7ed5"));
        assertTrue(assertThrows(UnauthorizedException.class, () -> auth.verify(null, "x")).getMessage().contains("X-VOD-TIMESTAMP"));
        assertTrue(assertThrows(UnauthorizedException.class, () -> auth.verify("1519375990", null)).getMessage().contains("X-VOD-SIGNATURE"));
        assertThrows(UnauthorizedException.class, () -> auth.verify("yesterday", "c72b60894140fa98920f1279219b7ed4"));
        String old = "1519375000";
        UnauthorizedException stale = assertThrows(UnauthorizedException.class,
                () -> auth.verify(old, CallbackAuthenticator.signature(URL, old, "test123")));
        assertTrue(stale.getMessage().contains("stale"));
        assertFalse(stale.getMessage().contains("test123"), "the key never appears in a reason");
    }

    @Test
    void windowZeroTurnsTheAgeCheckOffAndNoKeyTurnsAuthenticationOff() {
        CallbackAuthenticator noWindow = new CallbackAuthenticator(URL, "test123", "", 0, Clock.systemUTC());
        assertDoesNotThrow(() -> noWindow.verify("1519375990", "c72b60894140fa98920f1279219b7ed4"));
        CallbackAuthenticator off = new CallbackAuthenticator(URL, "", "", 300);
        assertFalse(off.isEnabled());
        assertDoesNotThrow(() -> off.verify(null, null));
        assertFalse(new CallbackAuthenticator(URL, "secretKey9", "", 300).toString().contains("secretKey9"));
    }
}
