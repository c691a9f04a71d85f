package io.smarttag.hub.inbox;

import io.smarttag.hub.config.HubClock;
import java.time.OffsetDateTime;

/**
 * Exponential backoff for an event whose destinations are not all delivered yet:
 * initial * multiplier^(attempts-1), capped. After maxAttempts the event is parked, not dropped.
 */
public class RetryPolicy {

    private final HubClock clock;
    private final long initialDelayMs;
    private final double multiplier;
    private final long maxDelayMs;
    private final int maxAttempts;

    public RetryPolicy(HubClock clock, long initialDelayMs, double multiplier, long maxDelayMs, int maxAttempts) {
        this.clock = clock;
        this.initialDelayMs = initialDelayMs;
        this.multiplier = multiplier;
        this.maxDelayMs = maxDelayMs;
        this.maxAttempts = maxAttempts;
    }

    public long delayMs(int attempts) {
        double delay = initialDelayMs * Math.pow(multiplier, Math.max(0, attempts - 1));
        return (long) Math.min(delay, maxDelayMs);
    }

    public OffsetDateTime nextAttempt(int attempts) {
        return clock.inMillis(delayMs(attempts));
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }
}
