package io.smarttag.hub.event;

import java.time.DateTimeException;
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
        String text = eventTime.trim();
        OffsetDateTime time = common(text);
        if (time == null) {
            try {
                time = OffsetDateTime.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        time = time.withOffsetSameInstant(ZoneOffset.UTC);
        return time.getYear() >= 1 && time.getYear() <= 9999 ? time : null;
    }

    /**
     * The form VOD writes, yyyy-MM-ddTHH:mm:ss[.fraction](Z|+HH:MM), read by hand: EventTime is read
     * several times per event (rows, archive key, payloads), and OffsetDateTime.parse cost about as
     * much as the rest of the rows' preparation (issue 21 profile). Null for anything else, including
     * a value of this form that is not a real time: the full ISO parse then decides, so the result
     * is always OffsetDateTime.parse's.
     */
    static OffsetDateTime common(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            int count = i - start;
            if (count < 1 || count > 9) {
                return null;
            }
            nanos = digits(s, start, count);
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int hours = digits(s, i + 1, 2);
            int minutes = digits(s, i + 4, 2);
            if ((hours | minutes) < 0 || minutes > 59 || hours * 60 + minutes > 18 * 60) {
                return null;
            }
            int sign = s.charAt(i) == '-' ? -1 : 1;
            offset = ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60));
        } else {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
        } catch (DateTimeException e) {
            return null; // e.g. February 30th: the full parse gives its verdict
        }
    }

    /** The number written by count ASCII digits at start, or -1. */
    private static int digits(String s, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
