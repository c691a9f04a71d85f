package io.smarttag.hub.inbox;

import java.sql.SQLException;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Whether a failure is the event's own: the destination answered and refused this event (a database
 * constraint or data error, an HTTP receiver's 400/413/415/422), rather than being unreachable or
 * failing as a whole. Why it matters: such a failure says the destination is up, so it must not hold
 * the destination for every other event (DestinationHolds); the refused event alone retries and parks.
 * Anything not known to be the event's own counts as the destination failing.
 */
final class EventRefusals {

    private EventRefusals() {
    }

    static boolean isTheEventsOwn(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && refusedRow(sql)) {
                return true;
            }
            if (cause instanceof HttpOperationFailedException http) {
                int status = http.getStatusCode();
                return status == 400 || status == 413 || status == 415 || status == 422;
            }
        }
        return false;
    }

    /** SQLState class 22 (data exception), 23 (integrity constraint) or 40 (this transaction rolled back: deadlock, serialization): this write, not the database. */
    private static boolean refusedRow(SQLException sql) {
        for (SQLException e = sql; e != null; e = e.getNextException()) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("40"))) {
                return true;
            }
        }
        return false;
    }
}
