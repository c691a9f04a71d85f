package io.smarttag.hub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smarttag.hub.auth.UnauthorizedException;
import io.smarttag.hub.event.InvalidEventException;
import io.smarttag.hub.quarantine.QuarantineMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Variable;

/**
 * The hub's own metrics, next to Camel's route and JVM metrics in the one Prometheus registry
 * served at /observe/metrics. The routes call the methods here at the points the names describe;
 * dashboards and alert rules (deploy/prometheus) rely on these names, so they are fixed:
 * smarttag_events_{received,accepted,duplicate,rejected,spooled}_total, smarttag_deliveries_total,
 * smarttag_delivery_seconds, smarttag_alerts_total, smarttag_quarantine_total, smarttag_backlog_*,
 * smarttag_spool_files, smarttag_callback_request_seconds, smarttag_accept_batches_total,
 * smarttag_accept_batch_size, smarttag_database_batches_total and smarttag_database_batch_size.
 */
public class HubMetrics {

    /** The inbox states a backlog is reported for (per configured destination). */
    public static final List<String> STATES = List.of("pending", "processing", "parked");
    /** The only reasons a rejection is counted under, so the label set stays small. */
    /** The sources that receive events. */
    public static final List<String> SOURCES = List.of("http", "mns");
    public static final List<String> REASONS = List.of("unauthorized", "forbidden", "empty", "invalid_json", "invalid_event",
            "too_large", "unreadable", "poison", "busy");

    private final MeterRegistry registry;
    // Micrometer holds a gauge's object weakly: these keep them alive as long as the metrics.
    private final Backlog backlog;
    private final SpoolFiles spool;
    // held like the two above: the quarantine's function counters and gauge hold it weakly
    private QuarantineMetrics quarantine;
    /**
     * The meters by name and label values: Micrometer's own lookup builds and sorts an id on every
     * call, and these are counted several times per event.
     */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
    /** Failed attempts in a row per destination, for its health check. */
    private final Map<String, AtomicInteger> failuresInARow = new ConcurrentHashMap<>();

    /** The destinations of hub.destinations, each a label value of the delivery and backlog meters. */
    private final List<String> destinations;

    public HubMetrics(MeterRegistry registry, Backlog backlog, SpoolFiles spool, List<String> destinations) {
        this.registry = registry;
        this.destinations = List.copyOf(destinations);
        this.backlog = backlog;
        this.spool = spool;
        for (String destination : destinations) {
            for (String state : STATES) {
                Gauge.builder("smarttag.backlog.events", backlog, b -> b.events(destination, state))
                        .description("Inbox events this destination has not done yet, by state")
                        .tags("destination", destination, "state", state).register(registry);
            }
            Gauge.builder("smarttag.backlog.oldest.seconds", backlog, b -> b.oldestSeconds(destination))
                    .description("Age of the oldest pending or processing event this destination has not done yet")
                    .tags("destination", destination).register(registry);
        }
        Gauge.builder("smarttag.spool.files", spool, SpoolFiles::count)
                .description("Callbacks in the local spool, waiting for the database").register(registry);
        preRegister();
    }

    /**
     * Every counter with its known labels exists from the start at 0, so rate() and the alert rules
     * work before the first event of a kind, and a scrape shows what can be counted.
     */
    private void preRegister() {
        for (String source : SOURCES) {
            counter("smarttag.events.received", "Events that reached a source", "source", source);
            counter("smarttag.events.accepted", "Events written to the inbox", "source", source);
            counter("smarttag.events.duplicate", "Repeated deliveries of an event already in the inbox", "source", source);
            for (String reason : REASONS) {
                rejections(source, reason);
            }
        }
        counter("smarttag.events.accepted", "Events written to the inbox", "source", "spool");
        counter("smarttag.events.duplicate", "Repeated deliveries of an event already in the inbox", "source", "spool");
        singleCountersAtZero();
        for (boolean committed : new boolean[] {true, false}) {
            for (String step : List.of("accept", "database", "finish")) {
                batchCounter(step, committed);
                batchSize(step, committed);
            }
        }
        for (String destination : destinations) {
            for (String outcome : List.of("ok", "failed", "parked", "skipped", "held")) {
                deliveryCounter(destination, outcome);
            }
        }
        for (String channel : List.of("email", "webhook")) {
            for (String kind : List.of("single", "digest", "parked")) {
                alertCounter(channel, kind);
            }
        }
    }

    /** The quarantine's own counts (kept, dropped by the cap, expired) and its size, read when scraped. */
    public void bindQuarantine(QuarantineMetrics quarantine) {
        this.quarantine = quarantine;
        FunctionCounter.builder("smarttag.quarantine.dropped", quarantine, QuarantineMetrics::getDroppedTotal)
                .description("Rejected bodies not kept because the quarantine was full").register(registry);
        FunctionCounter.builder("smarttag.quarantine.expired", quarantine, QuarantineMetrics::getExpiredTotal)
                .description("Quarantined bodies deleted after hub.quarantine.retention-hours").register(registry);
        Gauge.builder("smarttag.quarantine.stored.bytes", quarantine, q -> q.getTableBytes() + q.getFileBytes())
                .description("Bytes the quarantine holds (table and fallback files)").register(registry);
    }

    public void received(@Variable("source") String source) {
        count("smarttag.events.received", "Events that reached a source", "source", source);
    }

    public void accepted(@Variable("source") String source) {
        count("smarttag.events.accepted", "Events written to the inbox", "source", source);
    }

    public void duplicate(@Variable("source") String source) {
        count("smarttag.events.duplicate", "Repeated deliveries of an event already in the inbox", "source", source);
    }

    public void spooled() {
        counters.computeIfAbsent("spooled", k -> registry.counter("smarttag.events.spooled")).increment();
    }

    /** A rejection of a source's input, under one of {@link #REASONS}. */
    public void rejected(String source, String reason) {
        rejections(source, REASONS.contains(reason) ? reason : "invalid_event").increment();
    }

    /** A rejection told by the exception that refused it. */
    public void rejectedBy(@Variable("source") String source, Exception cause) {
        String reason = "invalid_event";
        if (cause instanceof UnauthorizedException) {
            reason = "unauthorized";
        } else if (cause instanceof InvalidEventException && cause.getMessage() != null) {
            if (cause.getMessage().startsWith("empty body")) {
                reason = "empty";
            } else if (cause.getMessage().startsWith("body is not valid JSON")) {
                reason = "invalid_json";
            }
        }
        rejected(source, reason);
    }

    public void quarantined() {
        counters.computeIfAbsent("quarantine", k -> registry.counter("smarttag.quarantine")).increment();
    }

    /** A destination delivered an event; startNanos is when its attempt began (System.nanoTime). */
    public void delivered(String destination, long startNanos) {
        failuresInARow(destination).set(0);
        deliveries(destination, "ok");
        timers.computeIfAbsent("delivery|" + destination, k -> histogram(Timer.builder("smarttag.delivery")
                        .description("Time one delivery attempt took, by destination").tags("destination", destination))
                        .register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** A destination's attempt failed; it is retried. */
    public void failed(String destination) {
        failuresInARow(destination).incrementAndGet();
        deliveries(destination, "failed");
    }

    public int consecutiveFailures(String destination) {
        return failuresInARow(destination).get();
    }

    private AtomicInteger failuresInARow(String destination) {
        return failuresInARow.computeIfAbsent(destination, d -> new AtomicInteger());
    }

    /** A destination gave up on an event after its last attempt (it waits for a replay). */
    public void parked(String destination) {
        deliveries(destination, "parked");
    }

    /** The destination's filter did not take an event: counted, but not an attempt (no time, no failure). */
    public void skipped(String destination) {
        deliveries(destination, "skipped");
    }

    /** An event waited for a destination that is held after failures (DestinationHolds): not an attempt. */
    public void held(String destination) {
        deliveries(destination, "held");
    }

    /** An alert sent, by channel (email) and kind (single, digest, parked). */
    public void alert(String channel, String kind) {
        alertCounter(channel, kind).increment();
    }

    /**
     * One inbox transaction of accept (InboxWriter): the rows of callers grouped into it and whether
     * it committed; a failed one failed each of its callers (spooled, or left in the queue).
     */
    public void acceptBatch(int rows, boolean committed) {
        batchCounter("accept", committed).increment();
        batchSize("accept", committed).record(rows);
    }

    /**
     * One transaction of the database destination (JobRowsWriter): the events whose rows were
     * grouped into it and whether it committed (a failed one is written again one event at a time).
     */
    public void databaseBatch(int events, boolean committed) {
        batchCounter("database", committed).increment();
        batchSize("database", committed).record(events);
    }

    /**
     * One write of the events' outcomes after an attempt (InboxEngine.finish: delivery rows and inbox
     * state): the events grouped into it and whether it was written (a refused group is written
     * again one event at a time).
     */
    public void finishBatch(int events, boolean committed) {
        batchCounter("finish", committed).increment();
        batchSize("finish", committed).record(events);
    }

    private static final Map<String, String> BATCH_OF = Map.of(
            "accept", "Inbox transactions of accept (group commit)",
            "database", "Transactions of the database destination's rows (group commit)",
            "finish", "Transactions of the events' outcomes after an attempt (group commit)");

    private Counter batchCounter(String step, boolean committed) {
        String outcome = committed ? "committed" : "failed";
        return counters.computeIfAbsent(step + "-batches|" + outcome, k -> Counter.builder("smarttag." + step + ".batches")
                .description(BATCH_OF.get(step) + ", by outcome").tags("outcome", outcome).register(registry));
    }

    private DistributionSummary batchSize(String step, boolean committed) {
        String outcome = committed ? "committed" : "failed";
        return summaries.computeIfAbsent(step + "|" + outcome, k -> DistributionSummary.builder("smarttag." + step + ".batch.size")
                .description("Events per transaction: " + BATCH_OF.get(step) + ", by outcome")
                .tags("outcome", outcome).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry));
    }

    /** A callback request answered, with its status: latency histogram, and 413s counted as rejections. */
    public void callbackAnswered(long nanos, int status) {
        timers.computeIfAbsent("callback|" + status, k -> histogram(Timer.builder("smarttag.callback.request")
                        .description("Callback requests, from first byte to the answer").tags("status", String.valueOf(status)))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (status == 413) {
            received("http");
            rejected("http", "too_large");
        }
    }

    /** Buckets from 1 ms to 30 s, so Prometheus can compute any quantile (histogram_quantile). */
    private static Timer.Builder histogram(Timer.Builder timer) {
        return timer.publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30));
    }

    public static long now() {
        return System.nanoTime();
    }

    private void deliveries(String destination, String outcome) {
        deliveryCounter(destination, outcome).increment();
    }

    private void count(String name, String description, String tag, String value) {
        counter(name, description, tag, String.valueOf(value)).increment();
    }

    private void singleCountersAtZero() {
        counters.computeIfAbsent("spooled", k -> registry.counter("smarttag.events.spooled"));
        counters.computeIfAbsent("quarantine", k -> registry.counter("smarttag.quarantine"));
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(name + "|" + value,
                k -> Counter.builder(name).description(description).tags(tag, value).register(registry));
    }

    private Counter rejections(String source, String reason) {
        return counters.computeIfAbsent("rejected|" + source + "|" + reason,
                k -> Counter.builder("smarttag.events.rejected").description("Events refused at accept, by reason")
                        .tags("source", String.valueOf(source), "reason", reason).register(registry));
    }

    private Counter deliveryCounter(String destination, String outcome) {
        return counters.computeIfAbsent("deliveries|" + destination + "|" + outcome,
                k -> Counter.builder("smarttag.deliveries").description("Deliveries by destination and outcome (ok, failed, parked; skipped: the filter did not take the event)")
                        .tags("destination", destination, "outcome", outcome).register(registry));
    }

    private Counter alertCounter(String channel, String kind) {
        return counters.computeIfAbsent("alerts|" + channel + "|" + kind,
                k -> Counter.builder("smarttag.alerts").description("Alerts sent to ops").tags("channel", channel, "kind", kind)
                        .register(registry));
    }

}
