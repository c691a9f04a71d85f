package io.smarttag.hub.inbox;

import io.smarttag.hub.event.VodEvent;
import org.slf4j.MDC;

/**
 * Puts the event a thread works on into the logging context (MDC), so every line about one event
 * carries job_id, media_id, inbox_id and, inside a destination, destination: with
 * hub.log.format=json they are fields of the line, and one event's history is one query in a log
 * store. A source or worker clears them when it takes up the next event.
 */
public class EventMdc {

    public static final String JOB_ID = "job_id";
    public static final String MEDIA_ID = "media_id";
    public static final String INBOX_ID = "inbox_id";
    public static final String DESTINATION = "destination";
    /**
     * The hub's step (accept or process), under the key Camel's MDC logging used for its route id.
     * Camel's own MDC logging (camel.main.use-mdc-logging) is off: it set and removed its keys
     * around every processor of every exchange, about a fifth of accept's CPU in a JFR profile.
     */
    public static final String ROUTE = "camel.routeId";

    private final String route;

    /** Clears only (the sources' first step). */
    public EventMdc() {
        this(null);
    }

    /** route: the value of camel.routeId on the lines about an event this one has put in the context. */
    public EventMdc(String route) {
        this.route = route;
    }

    /** A source or worker starts on a new exchange: nothing of the previous event stays. */
    public void clear() {
        MDC.remove(JOB_ID);
        MDC.remove(MEDIA_ID);
        MDC.remove(INBOX_ID);
        MDC.remove(DESTINATION);
        MDC.remove(ROUTE);
    }

    /** The event is known (accepted, or loaded for processing). */
    public void event(VodEvent event, String inboxId) {
        clear();
        put(JOB_ID, event == null ? null : event.getJobId());
        put(MEDIA_ID, event == null ? null : event.getMediaId());
        put(INBOX_ID, inboxId);
        put(ROUTE, route);
    }

    public void destination(String name) {
        put(DESTINATION, name);
    }

    public void noDestination() {
        MDC.remove(DESTINATION);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            // one line per value: a sender's id cannot start a fake log line (no regex: this runs
            // several times per event, and String.replaceAll compiles its pattern on every call)
            MDC.put(key, value.indexOf('\r') < 0 && value.indexOf('\n') < 0 ? value : value.replace('\r', '_').replace('\n', '_'));
        }
    }
}
