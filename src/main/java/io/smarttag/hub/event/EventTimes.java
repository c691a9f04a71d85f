package io.smarttag.hub.event;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** EventTime as the hub stores and files it: UTC, or null when it is missing, unreadable or out of range. */
public final class EventTimes {

    private EventTimes() {
    }

    /**
     * The instant of an ISO-8601 EventTime in UTC; null for none, an unreadable value, or a year
     * outside 1..9999, which a TIMESTAMP column (PostgreSQL's ends in 294276) or a yyyy folder
     * could not hold. The raw value stays in the archived event.
     */
    public static OffsetDateTime parseUtc(String eventTime) {
        if (eventTime == null || eventTime.isBlank()) {
            return null;
        }
        try {
            OffsetDateTime time = OffsetDateTime.parse(eventTime.trim()).withOffsetSameInstant(ZoneOffset.UTC);
            return time.getYear() >= 1 && time.getYear() <= 9999 ? time : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
