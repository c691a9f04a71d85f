package io.smarttag.hub.inbox;

import java.time.OffsetDateTime;

/**
 * One destination's delivery of one event, as a row of smarttag_delivery holds it.
 *
 * @param state     pending, done, parked, or skipped (the destination's filter did not take the event:
 *                  not an attempt, not a failure; settled like done)
 * @param saved     already written in the destination's own transaction (the database destination
 *                  commits its rows and its done state together), so finish need not write it again
 */
public record DeliveryState(String state, int attempts, OffsetDateTime nextAttemptAt, String lastError,
                            OffsetDateTime doneAt, boolean saved) {

    public static final String PENDING = "pending";
    public static final String DONE = "done";
    public static final String PARKED = "parked";
    public static final String SKIPPED = "skipped";

    public boolean isPending() {
        return PENDING.equals(state);
    }

    public boolean isDone() {
        return DONE.equals(state);
    }

    public boolean isParked() {
        return PARKED.equals(state);
    }

    public boolean isSkipped() {
        return SKIPPED.equals(state);
    }

    DeliveryState asSaved() {
        return new DeliveryState(state, attempts, nextAttemptAt, lastError, doneAt, true);
    }
}
