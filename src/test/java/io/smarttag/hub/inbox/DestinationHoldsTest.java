package io.smarttag.hub.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.config.HubClock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The hold of a failing destination: events wait for it instead of trying it, one trial at a time
 * once the hold ends, longer holds while it keeps failing, released by a success. The end to end
 * promise (a Kafka broker down does not hold back the database destination) is KafkaDestinationTest's.
 */
class DestinationHoldsTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 12, 5, 12, 0, 0, 0, ZoneOffset.UTC);
    // 1 s, doubling, at most 8 s (the shape of hub.retry.*)
    private final DestinationHolds holds = new DestinationHolds(new RetryPolicy(new HubClock(), 1000, 2.0, 8000, 10));

    @Test
    void aDestinationThatNeverFailedIsTriedByEveryEvent() {
        assertNull(holds.heldUntil("stream", T0));
        assertNull(holds.heldUntil("stream", T0));
        assertNull(holds.reason("stream"));
    }

    @Test
    void afterAFailureEventsWaitUntilTheHoldEndsThenOneTakesTheTrial() {
        holds.failed("stream", "connection refused", T0);
        assertEquals(T0.plusSeconds(1), holds.heldUntil("stream", T0.plusNanos(10_000_000L)));
        assertEquals(T0.plusSeconds(1), holds.heldUntil("stream", T0.plusNanos(999_000_000L)));
        assertTrue(holds.reason("stream").contains("stream failed 1 times in a row, last: connection refused"), holds.reason("stream"));
        assertNull(holds.heldUntil("other", T0.plusNanos(10_000_000L)), "a hold is per destination");

        OffsetDateTime end = T0.plusSeconds(1);
        assertNull(holds.heldUntil("stream", end), "the first event after the hold is the trial");
        assertEquals(end.plusSeconds(1), holds.heldUntil("stream", end.plusNanos(1_000_000L)), "the others wait while the trial runs");
    }

    @Test
    void failuresInARowHoldLongerAndASuccessReleases() {
        holds.failed("stream", "down", T0);
        holds.failed("stream", "down", T0);
        holds.failed("stream", "down", T0);
        assertEquals(T0.plusSeconds(4), holds.heldUntil("stream", T0));
        for (int i = 0; i < 10; i++) {
            holds.failed("stream", "down", T0);
        }
        assertEquals(T0.plusSeconds(8), holds.heldUntil("stream", T0), "capped like the retry backoff");
        holds.delivered("stream");
        assertNull(holds.heldUntil("stream", T0));
        assertNull(holds.reason("stream"));
    }
}
