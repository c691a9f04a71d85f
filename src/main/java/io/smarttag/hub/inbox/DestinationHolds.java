package io.smarttag.hub.inbox;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A destination that fails is held (a circuit breaker per destination, in this instance's memory):
 * until its hold ends, the events that owe it are not tried on it but wait, without an attempt being
 * counted, and their other destinations go on. Why: a down sink can take seconds per try (a Kafka
 * producer waiting for metadata, a TCP connect timing out); trying it for every event and every retry
 * would keep the workers busy with it and so hold back every other destination, the hub's own database
 * included. When the hold ends, one event is let through as a trial (the hold is extended meanwhile);
 * its success releases the destination, its failure holds it longer (the hub's retry backoff by the
 * number of failures in a row). Nothing is lost: a held event stays pending with its next attempt at
 * the hold's end, and it never parks while it waits (parking counts only its own attempts).
 */
final class DestinationHolds {

    private record Hold(int failuresInARow, OffsetDateTime until, String lastError) {
    }

    private final RetryPolicy retry;
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    DestinationHolds(RetryPolicy retry) {
        this.retry = retry;
    }

    /**
     * Null when the destination may be tried now (not held, or this caller takes the trial after a hold
     * ended); else until when the caller's event waits for it.
     */
    OffsetDateTime heldUntil(String destination, OffsetDateTime now) {
        OffsetDateTime[] waitUntil = new OffsetDateTime[1];
        holds.computeIfPresent(destination, (name, hold) -> {
            if (hold.until().isAfter(now)) {
                waitUntil[0] = hold.until();
                return hold;
            }
            // the trial: the others wait as long again while it runs
            return new Hold(hold.failuresInARow(), now.plusNanos(retry.delayMs(hold.failuresInARow()) * 1_000_000L), hold.lastError());
        });
        return waitUntil[0];
    }

    /** The reason a held event waits (for its last_error): the destination's last failure. */
    String reason(String destination) {
        Hold hold = holds.get(destination);
        return hold == null ? null : "held: " + destination + " failed " + hold.failuresInARow() + " times in a row, last: "
                + hold.lastError();
    }

    void failed(String destination, String error, OffsetDateTime now) {
        holds.compute(destination, (name, hold) -> {
            int inARow = hold == null ? 1 : hold.failuresInARow() + 1;
            return new Hold(inARow, now.plusNanos(retry.delayMs(inARow) * 1_000_000L), error);
        });
    }

    void delivered(String destination) {
        holds.remove(destination);
    }
}
