package io.smarttag.hub.config;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Time values for the SQL in the routes, always UTC, so every instance writes comparable times. */
public class HubClock {

    private final Clock clock;

    public HubClock() {
        this(Clock.systemUTC());
    }

    public HubClock(Clock clock) {
        this.clock = clock;
    }

    public OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    public OffsetDateTime inMillis(long millis) {
        return now().plusNanos(millis * 1_000_000L);
    }

    public long seconds(long millis) {
        return millis / 1000;
    }

    /** Seconds since the epoch, as webhook timestamps are written. */
    public long epochSeconds() {
        return now().toEpochSecond();
    }
}
