package io.smarttag.hub.kamelet;

import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;

/**
 * The headers every kamelet destination's message carries, so a consumer can deduplicate and route
 * without parsing the body. Values come from the inbox row and the parsed event only (never from
 * what a request carried); a field the event does not have gives no header.
 *
 * <p>Delivery is at least once: a message can arrive twice (a broker that took it but whose answer
 * was lost is tried again), always with the same {@value #INBOX_ID}; deduplicate on it.
 */
public class KameletHeaders {

    /** The hub's id of the accepted event: the same on every retry and replay of that event. */
    public static final String INBOX_ID = "smarttag-inbox-id";
    public static final String EVENT_TYPE = "smarttag-event-type";
    public static final String JOB_ID = "smarttag-job-id";
    public static final String MEDIA_ID = "smarttag-media-id";
    public static final String STATUS = "smarttag-status";
    /** What kafka-sink (and others) take as the record key: the JobId, so one job's events share a partition. */
    public static final String KEY = "key";

    public void apply(@Variable("work") EventWork work, Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        VodEvent event = work.getEvent();
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader(INBOX_ID, work.getInboxId());
        set(message, EVENT_TYPE, event.getEventType());
        set(message, JOB_ID, event.getJobId());
        set(message, KEY, event.getJobId());
        set(message, MEDIA_ID, event.getMediaId());
        set(message, STATUS, event.getStatus());
    }

    private static void set(Message message, String name, String value) {
        if (value != null && !value.isEmpty()) {
            message.setHeader(name, value);
        }
    }
}
