package io.smarttag.hub.inbox;

import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.event.VodEvent;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The audit trail of events: one INFO line when an event is accepted (new or duplicate), one when an
 * attempt at it is finished (each destination's outcome, the time since accept) and one per alert
 * sent. The ids are in the MDC already (EventMdc), so in JSON every line carries job_id, media_id and
 * inbox_id; {@code event.action} (accepted, duplicate, finished, alert) and, on a finish line,
 * {@code event.state} and {@code event.duration} (ns since accept, as ECS has it) are fields too.
 *
 * <p>The fields are added only when the JSON layout is on (hub.log.format=json, which HubMain makes
 * the system property the layouts are chosen by): the text layout does not print them, and SLF4J's
 * key-value API puts each in the logging context and takes it out again around every line (a fifth
 * of a line's cost in a profile, issue 21).
 *
 * <p>hub.log.events=false turns all three off: then each call returns at its first line, before any
 * text is built. A new delivery outcome (skipped, ...) needs nothing here: it is written as its
 * state's name.
 */
public class EventLog {

    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final String[] ACCEPTED = {"event.action", "accepted"};
    private static final String[] DUPLICATE = {"event.action", "duplicate"};

    private final boolean enabled;
    private final boolean fields = "json".equals(System.getProperty("hub.log.format"));

    public EventLog(boolean enabled) {
        this.enabled = enabled;
    }

    /** A line at INFO, with these key-value fields when the JSON layout prints them. */
    private void info(String[] keyValues, String format, Object... args) {
        if (!fields) {
            LOG.info(format, args);
            return;
        }
        LoggingEventBuilder line = LOG.atInfo();
        for (int i = 0; i < keyValues.length; i += 2) {
            line = line.addKeyValue(keyValues[i], keyValues[i + 1]);
        }
        line.log(format, args);
    }

    public boolean isEnabled() {
        return enabled && LOG.isInfoEnabled();
    }

    /** An event was written to the inbox (inboxId), or was a repeated delivery of one there (inboxId null). */
    public void accepted(String source, VodEvent event, String inboxId) {
        if (!isEnabled()) {
            return;
        }
        String job = Errors.flat(event.getJobId());
        String what = Errors.flat(event.getEventType()) + "/" + Errors.flat(event.getStatus());
        if (inboxId != null) {
            info(ACCEPTED, "accepted job {} (media {}, {}) from {} as inbox {} (new)", job, Errors.flat(event.getMediaId()), what,
                    source, inboxId);
        } else {
            info(DUPLICATE, "accepted job {} (media {}, {}) from {}: duplicate of inbox {}, not stored again", job,
                            Errors.flat(event.getMediaId()), what, source,
                            EventIds.of(event.getEventType(), event.getJobId(), event.getStatus()));
        }
    }

    /**
     * An attempt at the event is written: its new state (done, pending, parked) and what each
     * destination it owes made of it. kind: what the routing made of the event (null when processing
     * failed before it was routed, then processError says why).
     */
    public void finished(EventWork work, Destinations destinations, String kind, String state, OffsetDateTime next,
            OffsetDateTime now, Exception processError) {
        if (!isEnabled()) {
            return;
        }
        StringBuilder outcomes = new StringBuilder();
        if (kind == null) {
            outcomes.append("not routed: ").append(new Errors().oneLine(processError));
            retry(outcomes, state, next, now);
        } else {
            for (Destination destination : destinations.taking(kind)) {
                if (!work.owes(destination.name())) {
                    continue;
                }
                if (outcomes.length() > 0) {
                    outcomes.append(", ");
                }
                outcomes.append(destination.name()).append(' ');
                outcome(outcomes, work.current(destination.name()), work.getOutcomes().containsKey(destination.name()), now);
            }
            if (outcomes.length() == 0) {
                outcomes.append("no destination takes it");
            }
        }
        long nanos = Duration.between(work.getReceivedAt(), now).toNanos();
        String job = work.getEvent() == null ? "?" : Errors.flat(work.getEvent().getJobId());
        info(new String[] {"event.action", "finished", "event.state", state, "event.duration", Long.toString(nanos)},
                "finished job {}: {} {} ms after accept (attempt {}): {}", job, state, nanos / 1_000_000, work.getAttempts(), outcomes);
    }

    /** One destination's state after this attempt; tried: it was attempted in this one (else: as it was). */
    private static void outcome(StringBuilder line, DeliveryState delivery, boolean tried, OffsetDateTime now) {
        if (delivery == null) {
            line.append("not tried");
            return;
        }
        switch (delivery.state()) {
            case DeliveryState.PENDING -> {
                boolean held = !tried && delivery.lastError() != null && delivery.lastError().startsWith("held: ");
                line.append(tried ? "failed" : held ? "held (the destination is failing)" : "waiting");
                line.append(" (attempt ").append(delivery.attempts()).append(", retry in ")
                        .append(Math.max(0, Duration.between(now, delivery.nextAttemptAt()).toMillis())).append(" ms)");
            }
            case DeliveryState.PARKED -> line.append("parked after ").append(delivery.attempts()).append(" attempts");
            case DeliveryState.DONE -> line.append(tried ? "done" : "done before");
            default -> line.append(delivery.state());
        }
    }

    private static void retry(StringBuilder line, String state, OffsetDateTime next, OffsetDateTime now) {
        if (DeliveryState.PENDING.equals(state) && next != null) {
            line.append(", retry in ").append(Math.max(0, Duration.between(now, next).toMillis())).append(" ms");
        }
    }

    /**
     * An alert went out on one channel of an alert destination (called by the alert routes after
     * each channel). kind: single (a failed job), parked (a notice to ops) or digest.
     */
    public void alertSent(@Variable("destination") Destination destination, @Variable("channel") String channel,
            @Variable("alertKind") String kind) {
        if (!isEnabled()) {
            return;
        }
        int recipients = "email".equals(channel) ? destination.list("to").size() : 1;
        info(new String[] {"event.action", "alert", "destination", destination.name()},
                "alert sent: {} to {} via {} ({} recipient{})", kind, destination.name(), channel, recipients,
                        recipients == 1 ? "" : "s");
    }
}
