package io.smarttag.hub.inbox;

import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.metrics.HubMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;

/**
 * The durable accept of a validated event (accept.yaml), as one call: written to the inbox and
 * committed before this returns (a repeated delivery, same EventType, JobId and Status, is stored
 * once), logged, counted and, when new, handed to processing (Handoff). Every callback and queue
 * message passes here, and each Camel step around a bean costs about as much as the bean's own
 * work on this path (issue 21 profile), so these five parts are one step, not five.
 */
public class AcceptStep {

    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate";

    private final InboxWriter writer;
    private final EventLog eventLog;
    private final HubMetrics metrics;
    private final Handoff handoff;

    public AcceptStep(InboxWriter writer, EventLog eventLog, HubMetrics metrics, Handoff handoff) {
        this.writer = writer;
        this.eventLog = eventLog;
        this.metrics = metrics;
        this.handoff = handoff;
    }

    /**
     * Sets the variables acceptResult (accepted, duplicate) and, for a new event, inboxId. Throws
     * when the event is not stored (the source's error handling decides: spool, 503, message left
     * in the queue).
     */
    public void accept(@Body VodEvent event, @Variable("rawEvent") Object raw, @Variable("source") String source,
            Exchange exchange) throws Exception {
        InboxWriter.Stored stored = writer.store(raw, event, source);
        eventLog.accepted(source, event, stored == null ? null : stored.id());
        if (stored == null) {
            exchange.setVariable("acceptResult", DUPLICATE);
            metrics.duplicate(source);
            return;
        }
        exchange.setVariable("inboxId", stored.id());
        exchange.setVariable("acceptResult", ACCEPTED);
        metrics.accepted(source);
        handoff.send(stored.id(), event, raw, stored.receivedAt());
    }
}
