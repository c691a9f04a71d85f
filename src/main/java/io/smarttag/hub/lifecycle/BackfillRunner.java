package io.smarttag.hub.lifecycle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Transactions;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.destination.EventFilter;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.Errors;
import io.smarttag.hub.inbox.EventIds;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.inbox.RetryPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs backfills (routes/backfill.yaml calls {@link #tick} on a timer): takes a running backfill
 * under a lease (any instance; another takes over when the lease runs out), counts the archived
 * events of its range, then lists them in key order and delivers each to the one destination
 * through its own route (direct:destination-<type>, via direct:backfill-deliver) with the event id a
 * live delivery had, up to 2 x hub.backfill.workers at a time. Every hub.backfill.checkpoint-every
 * events done in key order, one transaction writes the checkpoint (the last of them) and their
 * failed items.
 *
 * <p><b>At least once.</b> A crash loses what was done since the checkpoint and what was in flight:
 * the next owner delivers it again from the checkpoint, so at most hub.backfill.checkpoint-every +
 * 2 x hub.backfill.workers events are delivered twice; receivers deduplicate on the event id, the
 * database destination replaces a job's rows.
 *
 * <p><b>Live traffic first.</b> Deliveries are paced to hub.backfill.max-rate per second and wait
 * while live events queue for a worker (seda:process not empty).
 *
 * <p><b>Failures</b> are retried with the hub's backoff (hub.retry.*) and parked after
 * hub.retry.max-attempts, as live deliveries are, in smarttag_backfill_item; the backfill is done
 * when its range is handled and no item waits for a retry. retry-parked delivers the parked again.
 */
public class BackfillRunner extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillRunner.class);
    private final EventView views = new EventView();
    /** The backfills' extra patterns, compiled once each (a machine matches from many threads). */
    private final Map<String, EventFilter> extraFilters = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String DUE = SqlFiles.load("backfill-due");
    private static final String CLAIM = SqlFiles.load("backfill-claim");
    private static final String LISTED = SqlFiles.load("backfill-listed");
    private static final String CHECKPOINT = SqlFiles.load("backfill-checkpoint");
    private static final String FINISH = SqlFiles.load("backfill-finish");
    private static final String ITEM_INSERT = SqlFiles.load("backfill-item-insert");
    private static final String ITEMS_DUE = SqlFiles.load("backfill-items-due");
    private static final String ITEMS_WAITING = SqlFiles.load("backfill-items-waiting");
    private static final String ITEM_UPDATE = SqlFiles.load("backfill-item-update");
    static final String DELIVER = "direct:backfill-deliver";

    /** What became of one archived event. */
    enum Result { DELIVERED, SKIPPED, FAILED, NOT_RUN }

    record Outcome(String key, Result result, String error, int attempts) {
    }

    /** The settings: hub.backfill.*. */
    public record Settings(double maxRate, int workers, int chunk, long leaseMillis) {
    }

    private final DataSource dataSource;
    private final Destinations destinations;
    private final ArchiveKeys archiveKeys;
    private final Function<String, S3Client> s3Clients;
    private final CamelContext context;
    private final RetryPolicy retry;
    private final HubClock clock;
    private final Settings settings;
    private final IntSupplier liveQueue;
    private final MeterRegistry meters;
    private final Backfills backfills;
    private final String owner = "hub-" + UUID.randomUUID().toString().substring(0, 8);
    private final Errors errors = new Errors();
    private final Pacer pacer;
    private final Map<String, ArchiveReader> readers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Backfill> progress = new ConcurrentHashMap<>();
    private ExecutorService pool;
    private ProducerTemplate template;
    private volatile boolean stopping;

    public BackfillRunner(DataSource dataSource, Backfills backfills, Destinations destinations, ArchiveKeys archiveKeys,
            Function<String, S3Client> s3Clients, CamelContext context, RetryPolicy retry, HubClock clock, Settings settings,
            IntSupplier liveQueue, MeterRegistry meters) {
        if (settings.workers() < 1 || settings.chunk() < 1 || settings.maxRate() < 0 || settings.leaseMillis() < 1000) {
            throw new IllegalArgumentException("hub.backfill.workers and checkpoint-every must be at least 1, max-rate 0 or more"
                    + " (0: no limit), lease-ms at least 1000");
        }
        this.dataSource = dataSource;
        this.backfills = backfills;
        this.destinations = destinations;
        this.archiveKeys = archiveKeys;
        this.s3Clients = s3Clients;
        this.context = context;
        this.retry = retry;
        this.clock = clock;
        this.settings = settings;
        this.liveQueue = liveQueue;
        this.meters = meters;
        this.pacer = new Pacer(settings.maxRate());
    }

    @Override
    protected void doStart() {
        stopping = false;
        template = context.createProducerTemplate();
        pool = Executors.newFixedThreadPool(settings.workers(), runnable -> {
            Thread thread = new Thread(runnable, "smarttag-backfill");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    protected void doStop() throws Exception {
        stopping = true;
        // null when the context failed to start before this service did (a port taken): stop quietly
        if (pool != null) {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (template != null) {
            template.stop();
        }
    }

    private boolean stopping() {
        return stopping || context.isStopping() || !context.isStarted();
    }

    /** The timer: runs the backfills this instance may take, one after the other. */
    public void tick() throws Exception {
        for (String id : due()) {
            if (stopping()) {
                return;
            }
            Backfill backfill = backfills.get(id);
            if (backfill == null || destinations.named(backfill.destination()) == null || destinations.named(backfill.archive()) == null) {
                continue; // not configured on this instance: one that has them takes it
            }
            if (claim(id)) {
                run(backfills.get(id));
            }
        }
    }

    private List<String> due() throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(DUE)) {
            select.setObject(1, clock.now());
            select.setString(2, owner);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ids.add(row.getString(1));
                }
            }
        }
        return ids;
    }

    private boolean claim(String id) throws SQLException {
        OffsetDateTime now = clock.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement claim = c.prepareStatement(CLAIM)) {
            claim.setString(1, owner);
            claim.setObject(2, lease(now));
            claim.setObject(3, now);
            claim.setObject(4, now);
            claim.setString(5, id);
            claim.setObject(6, now);
            claim.setString(7, owner);
            return claim.executeUpdate() == 1;
        }
    }

    private OffsetDateTime lease(OffsetDateTime now) {
        return now.plusNanos(settings.leaseMillis() * 1_000_000L);
    }

    private void run(Backfill backfill) throws Exception {
        Destination target = destinations.named(backfill.destination());
        Destination archive = destinations.named(backfill.archive());
        ArchiveReader reader = readers.computeIfAbsent(archive.name(), name -> ArchiveReader.of(archive, s3Clients.apply(name)));
        if (backfill.listed() == null) {
            long listed = reader.count(backfill.from(), backfill.to());
            update(LISTED, listed, clock.now(), backfill.id(), owner);
            LOG.info("backfill {} ({}): {} archived event(s) from {} to {}", backfill.id(), target.name(), listed,
                    backfill.from(), backfill.to());
        }
        deliverInOrder(backfill, target, reader);
    }

    /** An archived event handed to the worker pool, in key order. */
    private record Pending(String key, Future<Outcome> outcome) {
    }

    /**
     * Delivers the range after the checkpoint as a stream: up to twice hub.backfill.workers events
     * are in the pool at once, in key order, and the next key goes in as soon as the oldest is done,
     * so the workers never wait for a chunk's slowest event (a database destination then commits
     * full batches the whole time). The checkpoint moves over the oldest events done in order: every
     * hub.backfill.checkpoint-every of them, at the end, and to renew the lease while an event is
     * slow. A crash therefore delivers again at most checkpoint-every + 2 x workers events.
     */
    private void deliverInOrder(Backfill backfill, Destination target, ArchiveReader reader) throws Exception {
        ArrayDeque<Pending> window = new ArrayDeque<>();
        int windowMax = 2 * settings.workers();
        String listedUpTo = backfill.cursor();
        Iterator<String> page = Collections.emptyIterator();
        boolean listedAll = false;
        List<Outcome> done = new ArrayList<>();
        String lastDone = null;
        long renewed = System.nanoTime();
        try {
            while (!stopping()) {
                while (!listedAll && window.size() < windowMax) {
                    if (!page.hasNext()) {
                        List<String> keys = reader.next(backfill.from(), backfill.to(), listedUpTo, settings.chunk());
                        listedAll = keys.isEmpty();
                        page = keys.iterator();
                        continue;
                    }
                    String key = page.next();
                    listedUpTo = key;
                    window.add(new Pending(key, pool.submit(() -> deliver(backfill, target, reader, key, 0))));
                }
                if (!window.isEmpty()) {
                    Outcome oldest = oldestDone(window.peek());
                    if (oldest != null) {
                        if (oldest.result() == Result.NOT_RUN) {
                            return; // stopping: the checkpoint stays before the events not run
                        }
                        lastDone = window.poll().key();
                        done.add(oldest);
                    }
                }
                boolean end = listedAll && window.isEmpty();
                boolean chunk = done.size() >= settings.chunk() || end;
                if (chunk || System.nanoTime() - renewed > settings.leaseMillis() * 1_000_000L / 3) {
                    List<Outcome> retries = chunk ? retryDue(backfill, target, reader) : List.of();
                    if (retries.stream().anyMatch(o -> o.result() == Result.NOT_RUN)) {
                        return; // stopping, or the lease was lost
                    }
                    if (!checkpoint(backfill, done.isEmpty() ? null : lastDone, done, retries)) {
                        LOG.info("backfill {}: paused, cancelled or taken over", backfill.id());
                        return;
                    }
                    renewed = System.nanoTime();
                    done = new ArrayList<>();
                    refreshProgress(backfill.id());
                }
                if (end) {
                    if (waiting(backfill.id()) == 0 && update(FINISH, clock.now(), clock.now(), backfill.id(), owner) == 1) {
                        Backfill finished = backfills.get(backfill.id());
                        progress.put(finished.destination(), finished);
                        LOG.info("backfill {} ({}) done: {} delivered, {} skipped, {} parked", finished.id(), finished.destination(),
                                finished.delivered(), finished.skipped(), finished.parked());
                    }
                    return; // failed items wait for their retry: the next tick comes back
                }
            }
        } finally {
            window.forEach(pending -> pending.outcome().cancel(false)); // not started: the next owner delivers them
        }
    }

    /** The oldest event's outcome if it is done within 250 ms, else null (the caller renews the lease meanwhile). */
    private static Outcome oldestDone(Pending oldest) throws Exception {
        try {
            return oldest.outcome().get(250, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            return null;
        } catch (java.util.concurrent.CancellationException e) {
            return new Outcome(oldest.key(), Result.NOT_RUN, null, 0);
        }
    }

    /** The retries due now of failed items, each to the same destination. */
    private List<Outcome> retryDue(Backfill backfill, Destination target, ArchiveReader reader) throws Exception {
        List<String> keys = new ArrayList<>();
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(ITEMS_DUE)) {
            select.setString(1, backfill.id());
            select.setObject(2, clock.now());
            select.setInt(3, settings.chunk());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    keys.add(row.getString(1));
                    attempts.put(row.getString(1), row.getInt(2));
                }
            }
        }
        return deliverAll(backfill, target, reader, keys, attempts::get);
    }

    /**
     * Delivers the keys on the worker pool, paced; waits for all, renewing the lease meanwhile.
     * attemptsBefore: failed attempts of each key so far (0 for a first delivery).
     */
    private List<Outcome> deliverAll(Backfill backfill, Destination target, ArchiveReader reader, List<String> keys,
            Function<String, Integer> attemptsBefore) throws Exception {
        List<Future<Outcome>> futures = new ArrayList<>(keys.size());
        for (String key : keys) {
            int before = attemptsBefore.apply(key);
            futures.add(pool.submit(() -> deliver(backfill, target, reader, key, before)));
        }
        List<Outcome> outcomes = new ArrayList<>(keys.size());
        long renewed = System.nanoTime();
        for (Future<Outcome> future : futures) {
            while (true) {
                try {
                    outcomes.add(future.get(250, TimeUnit.MILLISECONDS));
                    break;
                } catch (TimeoutException stillRunning) {
                    if (System.nanoTime() - renewed > settings.leaseMillis() * 1_000_000L / 3) {
                        renewed = System.nanoTime();
                        if (!checkpoint(backfill, null, List.of(), List.of())) {
                            LOG.info("backfill {}: paused, cancelled or taken over while a chunk was delivered", backfill.id());
                            futures.forEach(f -> f.cancel(false));
                            outcomes.add(new Outcome(key(future, keys, futures), Result.NOT_RUN, null, 0));
                            return outcomes;
                        }
                    }
                }
            }
        }
        return outcomes;
    }

    private static String key(Future<Outcome> future, List<String> keys, List<Future<Outcome>> futures) {
        return keys.get(futures.indexOf(future));
    }

    private Outcome deliver(Backfill backfill, Destination target, ArchiveReader reader, String key, int attemptsBefore) {
        if (stopping()) {
            return new Outcome(key, Result.NOT_RUN, null, attemptsBefore);
        }
        try {
            byte[] raw = reader.read(key);
            VodEvent event = JSON.readValue(raw, VodEvent.class);
            String kind = !event.isTagEvent() ? "other" : "success".equals(event.getStatus()) ? "success" : "fail";
            if (!takes(target, backfill, kind, raw)) {
                return new Outcome(key, Result.SKIPPED, null, attemptsBefore);
            }
            pacer.acquire();
            while (liveQueue.getAsInt() > 0 && !stopping()) {
                Thread.sleep(20); // live events are waiting for a worker: they go first
            }
            if (stopping()) {
                return new Outcome(key, Result.NOT_RUN, null, attemptsBefore);
            }
            EventWork work = EventWork.backfill(EventIds.of(event.getEventType(), event.getJobId(), event.getStatus()), raw, clock.now());
            work.setEvent(event);
            work.setArchiveKey(archiveKeys.keyFor(event));
            Exchange exchange = new DefaultExchange(context);
            exchange.setVariable("work", work);
            target.bindTo(exchange);
            exchange.getMessage().setBody(raw);
            template.send(DELIVER, exchange);
            if (exchange.getException() != null) {
                return new Outcome(key, Result.FAILED, errors.oneLine(exchange.getException()), attemptsBefore + 1);
            }
            return new Outcome(key, Result.DELIVERED, null, attemptsBefore);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(key, Result.NOT_RUN, null, attemptsBefore);
        } catch (Exception e) {
            // the archive could not be read (S3 down, a file gone): a failed attempt, retried
            return new Outcome(key, Result.FAILED, errors.oneLine(e), attemptsBefore + 1);
        }
    }

    /**
     * Whether the destination takes the event, decided as live routing decides it: its `when` and its
     * own filter (the same Event Ruler machine, on the same view), and the backfill's kinds and extra
     * pattern (compiled once per pattern; Backfills refused an invalid one at creation).
     */
    private boolean takes(Destination target, Backfill backfill, String kind, byte[] raw) throws java.io.IOException {
        if (!target.takes(kind) || !backfill.takesKind(kind)) {
            return false;
        }
        boolean extra = backfill.filter() != null && !backfill.filter().isBlank();
        if (target.filter() == null && !extra) {
            return true;
        }
        com.fasterxml.jackson.databind.JsonNode view = views.of(raw);
        if (target.filter() != null && !target.filter().takes(view)) {
            return false;
        }
        return !extra || extraFilters.computeIfAbsent(backfill.filter(),
                pattern -> EventFilter.compile("filter", pattern)).takes(view);
    }

    /**
     * One transaction: the chunk's failed items, the retries' outcomes and the checkpoint. False
     * (rolled back) when the backfill is no longer this instance's to run.
     */
    private boolean checkpoint(Backfill backfill, String cursor, List<Outcome> firsts, List<Outcome> retries) throws SQLException {
        OffsetDateTime now = clock.now();
        long delivered = 0;
        long skipped = 0;
        long failed = 0;
        long parked = 0;
        for (Outcome o : firsts) {
            delivered += o.result() == Result.DELIVERED ? 1 : 0;
            skipped += o.result() == Result.SKIPPED ? 1 : 0;
            failed += o.result() == Result.FAILED ? 1 : 0;
        }
        for (Outcome o : retries) {
            delivered += o.result() == Result.DELIVERED ? 1 : 0;
            skipped += o.result() == Result.SKIPPED ? 1 : 0;
            failed += o.result() == Result.FAILED ? 1 : 0;
            parked += o.result() == Result.FAILED && o.attempts() >= retry.getMaxAttempts() ? 1 : 0;
        }
        long handled = firsts.size();
        long[] counts = {delivered, skipped, failed, parked};
        boolean written;
        try (Connection connection = dataSource.getConnection()) {
            written = Transactions.inTransaction(connection, c -> {
                try (PreparedStatement insert = c.prepareStatement(ITEM_INSERT)) {
                    for (Outcome o : firsts) {
                        if (o.result() == Result.FAILED) {
                            insert.setString(1, backfill.id());
                            insert.setString(2, o.key());
                            insert.setObject(3, retry.nextAttempt(1));
                            insert.setString(4, Errors.cap(o.error()));
                            insert.addBatch();
                        }
                    }
                    insert.executeBatch();
                }
                try (PreparedStatement update = c.prepareStatement(ITEM_UPDATE)) {
                    for (Outcome o : retries) {
                        boolean park = o.result() == Result.FAILED && o.attempts() >= retry.getMaxAttempts();
                        update.setString(1, o.result() == Result.FAILED ? (park ? "parked" : "pending") : "done");
                        update.setInt(2, o.attempts());
                        update.setObject(3, o.result() == Result.FAILED ? retry.nextAttempt(o.attempts()) : now);
                        update.setString(4, o.error() == null ? null : Errors.cap(o.error()));
                        update.setString(5, backfill.id());
                        update.setString(6, o.key());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
                try (PreparedStatement checkpoint = c.prepareStatement(CHECKPOINT)) {
                    checkpoint.setString(1, cursor);
                    checkpoint.setLong(2, handled);
                    checkpoint.setLong(3, counts[0]);
                    checkpoint.setLong(4, counts[1]);
                    checkpoint.setLong(5, counts[2]);
                    checkpoint.setLong(6, counts[3]);
                    checkpoint.setObject(7, lease(now));
                    checkpoint.setObject(8, now);
                    checkpoint.setString(9, backfill.id());
                    checkpoint.setString(10, owner);
                    if (checkpoint.executeUpdate() != 1) {
                        throw new NotOurs();
                    }
                }
                return true;
            });
        } catch (NotOurs e) {
            return false;
        }
        count(backfill.destination(), "delivered", delivered);
        count(backfill.destination(), "skipped", skipped);
        count(backfill.destination(), "failed", failed);
        count(backfill.destination(), "parked", parked);
        if (parked > 0) {
            LOG.error("backfill {} ({}): {} event(s) PARKED after {} attempts; retry-parked delivers them again", backfill.id(),
                    backfill.destination(), parked, retry.getMaxAttempts());
        }
        return written;
    }

    /** The checkpoint's row was not this instance's any more: roll back the transaction. */
    private static final class NotOurs extends RuntimeException {
        NotOurs() {
            super(null, null, false, false);
        }
    }

    private long waiting(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement count = c.prepareStatement(ITEMS_WAITING)) {
            count.setString(1, id);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private int update(String sql, Object... parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            return update.executeUpdate();
        }
    }

    private void count(String destination, String outcome, long n) {
        if (n > 0) {
            counters.computeIfAbsent(destination + "|" + outcome, k -> Counter.builder("smarttag.backfill.events")
                    .description("Archived events a backfill handled, by destination and outcome (failed: attempts)")
                    .tags("destination", destination, "outcome", outcome).register(meters)).increment(n);
        }
    }

    /** The gauges of a destination's latest backfill on this instance: listed, handled, rate, ETA. */
    private void refreshProgress(String id) throws SQLException {
        Backfill now = backfills.get(id);
        if (now == null) {
            return;
        }
        if (progress.put(now.destination(), now) == null) {
            String d = now.destination();
            Gauge.builder("smarttag.backfill.listed", progress, p -> p.containsKey(d) && p.get(d).listed() != null ? p.get(d).listed() : 0)
                    .description("Archived events in the range of the destination's backfill").tag("destination", d).register(meters);
            Gauge.builder("smarttag.backfill.handled", progress, p -> p.containsKey(d) ? p.get(d).handled() : 0)
                    .description("Archived events the destination's backfill has handled (delivered, skipped or failed once)")
                    .tag("destination", d).register(meters);
            Gauge.builder("smarttag.backfill.rate", progress, p -> p.containsKey(d) ? p.get(d).rate(clock.now()) : 0)
                    .description("Events per second of the destination's backfill").tag("destination", d).register(meters);
            Gauge.builder("smarttag.backfill.eta.seconds", progress, p -> {
                Long eta = p.containsKey(d) ? p.get(d).etaSeconds(clock.now()) : null;
                return eta == null ? 0 : eta;
            }).description("Estimated seconds until the destination's backfill is done (0: not running)").tag("destination", d)
                    .register(meters);
        }
    }

    /** Spaces deliveries 1/max-rate seconds apart across the workers (0: no limit). */
    static final class Pacer {
        private final long intervalNanos;
        private long next;

        Pacer(double perSecond) {
            this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
        }

        void acquire() throws InterruptedException {
            if (intervalNanos == 0) {
                return;
            }
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                long at = Math.max(now, next);
                next = at + intervalNanos;
                wait = at - now;
            }
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }
}
