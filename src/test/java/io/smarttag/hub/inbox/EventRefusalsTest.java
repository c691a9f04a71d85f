package io.smarttag.hub.inbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/**
 * Which failures are an event's own (the destination answered and refused it) and so do not hold the
 * destination for the other events. The end to end promise (a refused event fails only itself, the
 * others are written in their first attempt) is DatabaseGroupCommitTest's.
 */
class EventRefusalsTest {

    @Test
    void aConstraintOrDataErrorOfTheDatabaseIsTheEventsOwn() {
        assertTrue(EventRefusals.isTheEventsOwn(new SQLException("check violated", "23514")));
        assertTrue(EventRefusals.isTheEventsOwn(new SQLException("value too long", "22001")));
        assertTrue(EventRefusals.isTheEventsOwn(new SQLException("deadlock detected", "40P01")));
        // wrapped, as the group commit and Camel hand it on
        assertTrue(EventRefusals.isTheEventsOwn(new IllegalStateException("not stored", new SQLException("dup", "23505"))));
        SQLException batch = new SQLException("batch entry 3 failed", (String) null);
        batch.setNextException(new SQLException("check violated", "23514"));
        assertTrue(EventRefusals.isTheEventsOwn(batch), "a driver's batch error names the row's state in its next exception");
    }

    @Test
    void aDatabaseThatIsUnreachableOrFailingIsNot() {
        assertFalse(EventRefusals.isTheEventsOwn(new SQLException("connection refused", "08001")));
        assertFalse(EventRefusals.isTheEventsOwn(new SQLException("disk full", "53100")));
        assertFalse(EventRefusals.isTheEventsOwn(new SQLException("pool timeout")));
    }

    @Test
    void anHttpReceiverRefusingTheBodyIsTheEventsOwnButNotWhenItIsDownOrRefusesUs() {
        assertTrue(EventRefusals.isTheEventsOwn(http(400)));
        assertTrue(EventRefusals.isTheEventsOwn(http(422)));
        assertTrue(EventRefusals.isTheEventsOwn(http(413)));
        assertFalse(EventRefusals.isTheEventsOwn(http(503)));
        assertFalse(EventRefusals.isTheEventsOwn(http(500)));
        assertFalse(EventRefusals.isTheEventsOwn(http(401)), "a wrong secret fails every event: the destination's");
        assertFalse(EventRefusals.isTheEventsOwn(http(429)));
        assertFalse(EventRefusals.isTheEventsOwn(new ConnectException("Connection refused")));
    }

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("http://receiver/hook", status, "status", null, Map.of(), "");
    }
}
