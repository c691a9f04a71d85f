package io.smarttag.hub.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** A TIMESTAMP WITH TIME ZONE as either driver returns it (H2: OffsetDateTime, PostgreSQL: Timestamp), in UTC. */
public final class Timestamps {

    private Timestamps() {
    }

    public static OffsetDateTime utc(Object value) {
        if (value instanceof OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC);
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof Instant instant) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        return null;
    }
}
