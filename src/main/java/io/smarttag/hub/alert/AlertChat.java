package io.smarttag.hub.alert;

import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.inbox.EventWork;

/**
 * The body of an alert sent to a chat webhook (destination-alert.yaml, channel webhook): a failed
 * job with its fields, or an ops notice (digest, parked) as subject and text.
 */
public class AlertChat {

    private final ChatMessages messages = new ChatMessages();
    private final io.smarttag.hub.archive.ArchiveTarget archive;

    public AlertChat(io.smarttag.hub.archive.ArchiveTarget archive) {
        this.archive = archive;
    }

    /** kind: single (a failed job's own alert), digest or parked (notices of the hub). */
    public String body(Destination destination, Alert alert, EventWork work, String kind) {
        String format = destination.option("webhook.format");
        return "single".equals(kind) && work != null && work.getEvent() != null
                ? messages.format(format, work.getEvent(), archive.location(work.getArchiveKey()))
                : messages.format(format, alert);
    }
}
