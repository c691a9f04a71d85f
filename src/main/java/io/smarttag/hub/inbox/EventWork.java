package io.smarttag.hub.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.event.VodEvent;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One claimed inbox event on its way through the destinations: the typed context the process route
 * carries in its one variable, {@code work}. It holds what was loaded (raw body, receipt time, the
 * deliveries recorded so far), what processing learned (the unmarshalled event, its archive key) and
 * the outcome of each destination tried in this attempt, which {@link InboxEngine#finish} writes.
 */
public class EventWork {

    private final String inboxId;
    private final byte[] raw;
    private final OffsetDateTime receivedAt;
    private final int attempts;
    private final Map<String, DeliveryState> recorded;
    private final Set<String> settled;
    private final Set<String> notOwed;
    private final Map<String, DeliveryState> outcomes = new LinkedHashMap<>();
    private final Map<String, Long> started = new LinkedHashMap<>();
    private VodEvent event;
    private String archiveKey;
    private JsonNode view;
    private boolean backfill;
    private boolean finishedWithRows;

    /**
     * An event read from the archive by a backfill: no inbox row and no delivery rows (the backfill
     * keeps its own books), id = the event id a live delivery had ({@link EventIds}).
     */
    public static EventWork backfill(String eventId, byte[] raw, OffsetDateTime now) {
        EventWork work = new EventWork(eventId, raw, now, 0, Map.of(), now);
        work.backfill = true;
        return work;
    }

    /** Whether this is a backfill's delivery (a destination writes no delivery row for it). */
    public boolean isBackfill() {
        return backfill;
    }

    /**
     * Whether the event's finish (its outcomes and its state done) was committed with the database
     * destination's rows, which it owed last ({@link InboxEngine#finishesWith}): finish writes nothing more.
     */
    public boolean isFinishedWithRows() {
        return finishedWithRows;
    }

    void finishedWithRows() {
        finishedWithRows = true;
    }

    /** loadedAt: when the event was claimed and its deliveries read (the hub's clock). */
    public EventWork(String inboxId, byte[] raw, OffsetDateTime receivedAt, int attempts, Map<String, DeliveryState> recorded,
            OffsetDateTime loadedAt) {
        this(inboxId, raw, receivedAt, attempts, recorded, loadedAt, Set.of());
    }

    /**
     * notOwed: active destinations the event owes nothing although they would take it: it was done
     * before they were added (they have no delivery row), and no replay has named them since.
     */
    public EventWork(String inboxId, byte[] raw, OffsetDateTime receivedAt, int attempts, Map<String, DeliveryState> recorded,
            OffsetDateTime loadedAt, Set<String> notOwed) {
        Set<String> notDue = new HashSet<>(notOwed);
        this.notOwed = Set.copyOf(notOwed);
        recorded.forEach((name, state) -> {
            if (!state.isPending() || state.nextAttemptAt().isAfter(loadedAt)) {
                notDue.add(name);
            }
        });
        this.settled = Set.copyOf(notDue);
        this.inboxId = inboxId;
        this.raw = raw;
        this.receivedAt = receivedAt;
        this.attempts = attempts;
        this.recorded = Map.copyOf(recorded);
    }

    public String getInboxId() {
        return inboxId;
    }

    /** The event exactly as it was received (what the archive stores and a webhook receives). */
    public byte[] getRaw() {
        return raw;
    }

    public OffsetDateTime getReceivedAt() {
        return receivedAt;
    }

    /** Processing attempts of the event, this one included. */
    public int getAttempts() {
        return attempts;
    }

    public VodEvent getEvent() {
        return event;
    }

    public void setEvent(VodEvent event) {
        this.event = event;
    }

    /** Key of the raw event in the default archive (hub.archive.prefix); the job row and alerts point to it. */
    public String getArchiveKey() {
        return archiveKey;
    }

    public void setArchiveKey(String archiveKey) {
        this.archiveKey = archiveKey;
    }

    /**
     * The event as filters match it and a CloudEvent carries it (Data parsed, {@link EventView}); built
     * once per attempt, on first use, and only read after that.
     */
    public JsonNode view(EventView views) throws IOException {
        if (view == null) {
            view = views.of(raw);
        }
        return view;
    }

    /**
     * Destinations that are not to be tried in this attempt: already done, parked, or waiting for their
     * backoff, and those added after the event was done (not owed). A destination without a delivery
     * row has otherwise never been tried and is due.
     */
    public Set<String> getSettled() {
        return settled;
    }

    /** The destinations that had a delivery row when the event was claimed. */
    public Set<String> recordedDestinations() {
        return recorded.keySet();
    }

    /** False for a destination added after the event was done and not named by a replay since. */
    public boolean owes(String destination) {
        return !notOwed.contains(destination);
    }

    /** The delivery state as loaded at the claim (null: never tried). */
    public DeliveryState recorded(String destination) {
        return recorded.get(destination);
    }

    public Map<String, DeliveryState> getOutcomes() {
        return outcomes;
    }

    void started(String destination, long nanos) {
        started.put(destination, nanos);
    }

    long startedAt(String destination) {
        return started.getOrDefault(destination, System.nanoTime());
    }

    void outcome(String destination, DeliveryState state) {
        outcomes.put(destination, state);
    }

    /** The state a destination is in after this attempt: its outcome now, else what was recorded. */
    DeliveryState current(String destination) {
        DeliveryState now = outcomes.get(destination);
        return now != null ? now : recorded.get(destination);
    }
}
