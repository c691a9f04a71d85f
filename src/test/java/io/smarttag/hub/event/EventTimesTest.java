package io.smarttag.hub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EventTime as stored: the hand-read common form gives exactly what the ISO parse gives, or leaves it to it. */
class EventTimesTest {

    @ParameterizedTest
    @ValueSource(strings = {"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.1Z", "2024-05-06T07:08:09.123456789Z",
        "2024-05-06T23:59:59+08:00", "2024-01-01T00:00:00-05:30", "2024-02-29T12:00:00-00:00", "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00", "2024-05-06T07:08:09+18:00", "2024-05-06T07:08:09-18:00",
        // not the common form, or not a real time: the full parse decides
        "2023-02-29T12:00:00Z", "2024-13-01T00:00:00Z", "2024-05-06T24:00:00Z", "2024-05-06T07:08:60Z",
        "2024-05-06T07:08:09+18:01", "2024-05-06T07:08:09+05:60", "2024-05-06T07:08:09.Z", "2024-05-06T07:08:09.1234567891Z",
        "2024-05-06t07:08:09z", "2024-05-06T07:08Z", "2024-05-06T07:08:09+0800", "2024-05-06T07:08:09+08:00:30",
        "2024-05-06T07:08:09", "+2024-05-06T07:08:09Z", "2024-5-06T07:08:09Z", "2024-05-06T07:08:0xZ", " 2024-05-06T07:08:09Z "})
    void eachValueGivesWhatTheIsoParseGives(String value) {
        OffsetDateTime parsed;
        try {
            parsed = OffsetDateTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            parsed = null;
        }
        OffsetDateTime expected = parsed == null ? null : parsed.withOffsetSameInstant(ZoneOffset.UTC);
        if (expected != null && (expected.getYear() < 1 || expected.getYear() > 9999)) {
            expected = null;
        }
        assertEquals(expected, EventTimes.parseUtc(value), value);
        OffsetDateTime common = EventTimes.common(value.trim());
        if (common != null) {
            assertEquals(parsed, common, value + " read by hand differently from the ISO parse");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.5+08:00"})
    void theCommonFormIsReadByHand(String value) {
        assertNotNull(EventTimes.common(value), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "yesterday", "0000-12-31T23:00:00Z"})
    void noneOrUnreadableOrOutOfRangeIsNull(String value) {
        assertNull(EventTimes.parseUtc(value), value);
    }
}
