package io.smarttag.hub.ops;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions of the operator page, kept in memory only (a restart logs everyone out). A session id
 * and its CSRF token are 256 random bits each; a session ends after {@code hub.ops.session-minutes}
 * from its login, or at logout.
 */
final class OpsSessions {

    /** At most this many live sessions; the oldest goes when a login would exceed it. */
    static final int MAX_SESSIONS = 100;

    record Session(String id, String csrf, long expiresAtMillis) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final long lifetimeMillis;
    private final Clock clock;

    OpsSessions(long lifetimeMinutes, Clock clock) {
        this.lifetimeMillis = lifetimeMinutes * 60_000L;
        this.clock = clock;
    }

    long lifetimeSeconds() {
        return lifetimeMillis / 1000;
    }

    Session create() {
        long now = clock.millis();
        sessions.values().removeIf(s -> s.expiresAtMillis() <= now);
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min((a, b) -> Long.compare(a.expiresAtMillis(), b.expiresAtMillis()))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        Session session = new Session(randomToken(), randomToken(), now + lifetimeMillis);
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session with this id, or null (unknown, expired, or no id given). */
    Session find(String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        Session session = sessions.get(id);
        if (session == null) {
            return null;
        }
        if (session.expiresAtMillis() <= clock.millis()) {
            sessions.remove(id);
            return null;
        }
        return session;
    }

    void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
