package io.smarttag.hub.inbox;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The id of an event: a name-based UUID of its deduplication key (EventType|JobId|Status). It is
 * the inbox row's id and what receivers see (webhook-id), so the same event has the same id on a
 * live delivery, every retry and replay, a second copy received after retention deleted the first,
 * and a backfill from the archive, where no inbox row exists: receivers deduplicate on it.
 */
public final class EventIds {

    private EventIds() {
    }

    /** The deduplication key of the inbox (smarttag_inbox.dedup_key). */
    public static String dedupKey(String eventType, String jobId, String status) {
        return eventType + "|" + jobId + "|" + status;
    }

    public static String of(String eventType, String jobId, String status) {
        return UUID.nameUUIDFromBytes(("smarttag-event|" + dedupKey(eventType, jobId, status)).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
