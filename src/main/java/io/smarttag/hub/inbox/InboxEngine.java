package io.smarttag.hub.inbox;

import io.smarttag.hub.alert.Alert;
import io.smarttag.hub.alert.OpsNotices;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.GroupCommit;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Transactions;
import io.smarttag.hub.db.Timestamps;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.metrics.HubMetrics;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.event.VodEvent;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox engine: claims accepted events, loads them, records each destination's outcome and
 * finishes the event. The routes decide where an event goes; this class keeps the books, with its
 * SQL in src/main/resources/sql and every value bound from typed fields (never from a header).
 *
 * <p>Its calls take lists, so a caller can claim and finish many events per transaction; the process
 * route calls them one event at a time today.
 */
public class InboxEngine extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(InboxEngine.class);
    private static final String CLAIM = SqlFiles.load("inbox-claim");
    private static final String CLAIM_FRESH = SqlFiles.load("inbox-claim-fresh");
    private static final String LOAD = SqlFiles.load("inbox-load");
    private static final String DELIVERIES = SqlFiles.load("delivery-load");
    private static final String FINISH = SqlFiles.load("inbox-finish");

    private final DataSource dataSource;
    private final Destinations destinations;
    private final RetryPolicy retry;
    private final HubClock clock;
    private final long leaseMillis;
    private final HubMetrics metrics;
    private final OpsNotices notices;
    private final ArchiveKeys archiveKeys;
    private final InboxWriter writer;
    private final Errors errors = new Errors();
    private final EventMdc mdc = new EventMdc("process");
    private final EventLog eventLog;
    private final EventView views = new EventView();
    private final DestinationHolds holds;
    private final GroupCommit<Finish, Finish> finishes;
    private volatile String claimDue;
    private volatile String claimLoad;

    /** An event's new state after an attempt, with its outcomes; error: why it could not be written. */
    private record Finish(EventWork work, String state, OffsetDateTime doneAt, OffsetDateTime next, String lastError,
            SQLException error) {
        Finish(EventWork work, String state, OffsetDateTime doneAt, OffsetDateTime next, String lastError) {
            this(work, state, doneAt, next, lastError, null);
        }

        Finish failed(SQLException why) {
            return new Finish(work, state, doneAt, next, lastError, why);
        }
    }

    public InboxEngine(DataSource dataSource, Destinations destinations, RetryPolicy retry, HubClock clock,
            long leaseMillis, HubMetrics metrics, OpsNotices notices, ArchiveKeys archiveKeys,
            InboxWriter writer) {
        this(dataSource, destinations, retry, clock, leaseMillis, metrics, notices, archiveKeys, writer, 1, 0, new EventLog(true));
    }

    /**
     * finishBatchMax, finishWindowMillis: group commit of finish (hub.process.finish-batch-max,
     * hub.process.finish-window-ms): the outcomes of events the workers finish at the same time are
     * written in one transaction. eventLog: the per-event lines (accept, finish; hub.log.events).
     */
    public InboxEngine(DataSource dataSource, Destinations destinations, RetryPolicy retry, HubClock clock,
            long leaseMillis, HubMetrics metrics, OpsNotices notices, ArchiveKeys archiveKeys,
            InboxWriter writer, int finishBatchMax, long finishWindowMillis, EventLog eventLog) {
        this.eventLog = eventLog;
        // every transaction is counted by writeFinishes (with its outcome): the batch as a whole never fails
        this.finishes = new GroupCommit<>("finish batch", finishBatchMax, finishWindowMillis, this::writeFinishes, (events, written) -> { });
        this.archiveKeys = archiveKeys;
        this.writer = writer;
        this.dataSource = dataSource;
        this.destinations = destinations;
        this.retry = retry;
        this.holds = new DestinationHolds(retry);
        this.clock = clock;
        this.leaseMillis = leaseMillis;
        this.metrics = metrics;
        this.notices = notices;
    }

    /**
     * The sweep: claims up to limit due events in one transaction (on PostgreSQL with
     * FOR UPDATE SKIP LOCKED, so instances split the backlog) and loads them.
     */
    public List<EventWork> claimDue(int limit) throws SQLException {
        OffsetDateTime now = clock.now();
        List<String> due = new ArrayList<>();
        List<EventWork> claimed = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement select = connection.prepareStatement(claimDueSql(connection))) {
                    select.setObject(1, now);
                    select.setObject(2, now);
                    select.setInt(3, limit);
                    try (ResultSet row = select.executeQuery()) {
                        while (row.next()) {
                            due.add(row.getString(1));
                        }
                    }
                }
                // claimed and loaded in one transaction: a failed load leaves the events unclaimed
                for (String id : claimRows(connection, due, now)) {
                    claimed.add(load(connection, id));
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
        return claimed;
    }

    private String claimDueSql(Connection connection) throws SQLException {
        if (claimDue == null) {
            claimDue = SqlFiles.load("inbox-claim-due-" + dialect(connection));
        }
        return claimDue;
    }

    private String claimLoadSql(Connection connection) throws SQLException {
        if (claimLoad == null) {
            claimLoad = SqlFiles.load("inbox-claim-load-" + dialect(connection));
        }
        return claimLoad;
    }

    private static String dialect(Connection connection) throws SQLException {
        return connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres") ? "postgresql" : "h2";
    }

    /**
     * The process route's first step: an id from the hand-off at accept is claimed here; an event the
     * sweep claimed already passes through. The claimed event becomes the variable work, and the body
     * what is parsed next: the event as accept parsed it when it was handed over in memory, else its
     * raw bytes, for the route to unmarshal. null when another worker or instance has it, or it is not due.
     */
    public Object take(@Body Object body, Exchange exchange) throws SQLException {
        EventWork work = claimed(body);
        if (work == null) {
            return null;
        }
        exchange.setVariable("work", work);
        return work.getEvent() != null ? work.getEvent() : work.getRaw();
    }

    private EventWork claimed(Object body) throws SQLException {
        if (body instanceof EventWork work) {
            mdc.event(null, work.getInboxId());
            return work;
        }
        if (body instanceof Handoff.Accepted accepted) {
            EventWork fresh = claimFresh(accepted);
            return fresh != null ? fresh : claim(accepted.inboxId());
        }
        return claim(String.valueOf(body));
    }

    /**
     * The claim of an event handed over in memory by this instance's accept: one conditional UPDATE
     * (inbox-claim-fresh.sql) that wins only while the event was never claimed, never done and has
     * no delivery row. Then the inbox row holds nothing the hand-off does not (body, received_at,
     * attempts 1 after the claim, no deliveries), so nothing is read back and the event parsed at
     * accept is used. null when the condition does not hold: the caller claims it the usual way,
     * which decides any other case (another worker or instance has it, a replay reset it, ...).
     */
    private EventWork claimFresh(Handoff.Accepted accepted) throws SQLException {
        mdc.event(accepted.event(), accepted.inboxId());
        OffsetDateTime now = clock.now();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement claim = connection.prepareStatement(CLAIM_FRESH)) {
            claim.setObject(1, now.plusNanos(leaseMillis * 1_000_000L));
            claim.setString(2, accepted.inboxId());
            claim.setString(3, accepted.inboxId());
            if (claim.executeUpdate() != 1) {
                return null;
            }
        }
        EventWork work = new EventWork(accepted.inboxId(), accepted.raw(), accepted.receivedAt(), 1, Map.of(), now, Set.of());
        work.setEvent(accepted.event());
        return work;
    }

    /** Claims one event (see {@link #claim(List)}); null when another worker or instance has it. */
    public EventWork claim(String inboxId) throws SQLException {
        mdc.event(null, inboxId);
        EventWork work = claimWithoutDeliveries(inboxId);
        if (work != null) {
            return work;
        }
        List<EventWork> claimed = claim(List.of(inboxId));
        return claimed.isEmpty() ? null : claimed.get(0);
    }

    /**
     * The usual case in one statement (inbox-claim-load-*.sql): an event with no delivery row is
     * claimed and read back at once. null when the statement updates nothing (the event has delivery
     * rows, is not due, or is another worker's): then {@link #claim(List)} decides.
     */
    private EventWork claimWithoutDeliveries(String id) throws SQLException {
        OffsetDateTime now = clock.now();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement claim = connection.prepareStatement(claimLoadSql(connection))) {
            claim.setObject(1, now.plusNanos(leaseMillis * 1_000_000L));
            claim.setString(2, id);
            claim.setObject(3, now);
            claim.setObject(4, now);
            claim.setString(5, id);
            try (ResultSet row = claim.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                return work(id, row.getBytes(1), Timestamps.utc(row.getObject(2)), row.getInt(3), row.getObject(4) != null, Map.of());
            }
        }
    }

    /** Claims the events of these ids that are due and loads them; the others are left alone. */
    public List<EventWork> claim(List<String> inboxIds) throws SQLException {
        OffsetDateTime now = clock.now();
        try (Connection connection = dataSource.getConnection()) {
            // Claimed and loaded in one transaction: a load that fails (a lost connection, a schema
            // still being migrated when the database came back) leaves the event unclaimed for the
            // sweep, instead of leased to nobody for hub.process.lease-ms.
            return Transactions.inTransaction(connection, c -> {
                List<EventWork> claimed = new ArrayList<>();
                for (String id : claimRows(c, inboxIds, now)) {
                    claimed.add(load(c, id));
                }
                return claimed;
            });
        }
    }

    /** The conditional claim UPDATE for each id, as one batch; returns the ids this caller won. */
    private List<String> claimRows(Connection connection, List<String> inboxIds, OffsetDateTime now) throws SQLException {
        List<String> won = new ArrayList<>();
        if (inboxIds.isEmpty()) {
            return won;
        }
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            for (String id : inboxIds) {
                claim.setObject(1, now.plusNanos(leaseMillis * 1_000_000L));
                claim.setString(2, id);
                claim.setObject(3, now);
                claim.setObject(4, now);
                claim.addBatch();
            }
            int[] counts = claim.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 1) {
                    won.add(inboxIds.get(i));
                }
            }
        }
        return won;
    }

    private EventWork load(Connection connection, String id) throws SQLException {
        byte[] body;
        OffsetDateTime receivedAt;
        int attempts;
        boolean wasDone;
        try (PreparedStatement load = connection.prepareStatement(LOAD)) {
            load.setString(1, id);
            try (ResultSet row = load.executeQuery()) {
                row.next();
                body = row.getBytes(1);
                receivedAt = Timestamps.utc(row.getObject(2));
                attempts = row.getInt(3);
                wasDone = row.getObject(4) != null;
            }
        }
        Map<String, DeliveryState> recorded = new HashMap<>();
        try (PreparedStatement deliveries = connection.prepareStatement(DELIVERIES)) {
            deliveries.setString(1, id);
            try (ResultSet row = deliveries.executeQuery()) {
                while (row.next()) {
                    recorded.put(row.getString(1), new DeliveryState(row.getString(2), row.getInt(3),
                            Timestamps.utc(row.getObject(4)), row.getString(5), Timestamps.utc(row.getObject(6)), true));
                }
            }
        }
        return work(id, body, receivedAt, attempts, wasDone, recorded);
    }

    private EventWork work(String id, byte[] body, OffsetDateTime receivedAt, int attempts, boolean wasDone,
            Map<String, DeliveryState> recorded) {
        // An event that was done once is owed only by the destinations that had it then (they have a
        // delivery row): one added since gets it only from a replay naming it, which gives it a row.
        Set<String> notOwed = new HashSet<>();
        if (wasDone) {
            for (String name : destinations.names()) {
                if (!recorded.containsKey(name)) {
                    notOwed.add(name);
                }
            }
        }
        return new EventWork(id, body, receivedAt, attempts, recorded, clock.now(), notOwed);
    }

    /**
     * The event is unmarshalled: it goes into the work (with its key in the default archive) and the
     * log context, and its EventType and Status become the variables eventType and status, which the
     * router (routing.yaml) reads. Plain variables, because a simple expression that walks into a bean
     * (variable.work.event.status) copies the whole exchange on every call.
     */
    public void parsed(@Variable("work") EventWork work, @Body VodEvent event, Exchange exchange) {
        work.setEvent(event);
        work.setArchiveKey(archiveKeys.keyFor(event));
        mdc.event(event, work.getInboxId());
        exchange.setVariable("eventType", event.getEventType());
        exchange.setVariable("status", event.getStatus());
    }

    /**
     * The fan-out's list: the active destinations whose when names this kind and that are owed the
     * event in this attempt (not done, parked, skipped, waiting for their backoff, or added after it
     * was done), less those whose filter does not take it (recorded as skipped here).
     */
    public List<Destination> due(@Variable("work") EventWork work, @Variable("kind") String kind) throws IOException {
        List<Destination> due = new ArrayList<>();
        for (Destination destination : destinations.taking(kind)) {
            if (work.getSettled().contains(destination.name())) {
                continue;
            }
            if (destination.filter() != null && !destination.filter().takes(work.view(views))) {
                skipped(work, destination);
                continue;
            }
            OffsetDateTime heldUntil = holds.heldUntil(destination.name(), clock.now());
            if (heldUntil != null) {
                // the destination is failing: the event waits for it (no attempt counted), the others go on
                work.outcome(destination.name(), new DeliveryState(DeliveryState.PENDING, attempts(work, destination), heldUntil,
                        holds.reason(destination.name()), null, false));
                metrics.held(destination.name());
            } else {
                due.add(destination);
            }
        }
        return due;
    }

    /**
     * Whether the event is done once this destination (the database one, about to write its rows)
     * succeeds: what finish would decide with it done ({@link #decide}), and no error in this attempt.
     * Then its rows' transaction writes the finish too (every outcome, and the state: {@link #writeDone})
     * and finish writes nothing more. Destinations are tried in the order of hub.destinations, whose
     * default lists the database after the archive, so a success usually is done with it. False for
     * a backfill (no inbox row) and whenever another destination is still pending, failed, held or
     * parked: finish decides those as before.
     */
    public boolean finishesWith(EventWork work, Destination destination, String kind) {
        if (kind == null || work.isBackfill() || !work.owes(destination.name())
                || destinations.taking(kind).stream().noneMatch(d -> d.name().equals(destination.name()))) {
            return false;
        }
        for (DeliveryState outcome : work.getOutcomes().values()) {
            if (outcome.lastError() != null) {
                return false;
            }
        }
        return DeliveryState.DONE.equals(decide(work, kind, clock.now(), destination.name()).state());
    }

    /** The event's state after a routed attempt, and its earliest next attempt when pending. */
    private record Decision(String state, OffsetDateTime next) {
    }

    /**
     * The event's state after an attempt routed as kind: pending while a destination it owes is
     * pending or untried (next: the earliest of their next attempts), parked when the rest are all
     * parked, else done. doneNow: a destination counted as done whatever its state (null: none).
     */
    private Decision decide(EventWork work, String kind, OffsetDateTime now, String doneNow) {
        boolean pending = false;
        boolean parked = false;
        OffsetDateTime next = null;
        for (Destination destination : destinations.taking(kind)) {
            if (!work.owes(destination.name()) || destination.name().equals(doneNow)) {
                continue;
            }
            DeliveryState current = work.current(destination.name());
            if (current == null || current.isPending()) {
                pending = true;
                OffsetDateTime due = current == null ? now : current.nextAttemptAt();
                next = next == null || due.isBefore(next) ? due : next;
            } else if (current.isParked()) {
                parked = true;
            }
        }
        return new Decision(pending ? DeliveryState.PENDING : parked ? DeliveryState.PARKED : DeliveryState.DONE, next);
    }

    /**
     * The state done of events the database destination owed last ({@link #finishesWith}), on the
     * connection of its rows' transaction, which also holds their delivery rows.
     */
    public void writeDone(Connection connection, List<EventWork> works) throws SQLException {
        if (works.isEmpty()) {
            return;
        }
        OffsetDateTime now = clock.now();
        List<Finish> done = new ArrayList<>(works.size());
        for (EventWork work : works) {
            done.add(new Finish(work, DeliveryState.DONE, now, now, null));
        }
        writeStates(connection, done);
    }

    /**
     * The destination's filter does not take the event: it is settled for that destination as skipped
     * (recorded and counted, but not an attempt and not a failure), so the event can finish without it.
     */
    private void skipped(EventWork work, Destination destination) {
        OffsetDateTime now = clock.now();
        work.outcome(destination.name(), new DeliveryState(DeliveryState.SKIPPED, attempts(work, destination), now, null, now, false));
        metrics.skipped(destination.name());
    }

    /** Ends this instance's holds of these destinations (a replay: ops ask for a try now). */
    public void releaseHolds(java.util.Collection<String> names) {
        names.forEach(holds::delivered);
    }

    /**
     * A destination of the fan-out is about to be tried: it becomes the variables destination and
     * destinationType (Destination.bindTo); returns the raw event, the body its route gets.
     */
    public byte[] attempting(@Body Destination destination, @Variable("work") EventWork work, Exchange exchange) {
        destination.bindTo(exchange);
        mdc.destination(destination.name());
        work.started(destination.name(), System.nanoTime());
        return work.getRaw();
    }

    /** The destination took the event. */
    public void delivered(@Variable("work") EventWork work, @Variable("destination") Destination destination) {
        DeliveryState already = work.getOutcomes().get(destination.name());
        if (already == null || !already.isDone()) {
            work.outcome(destination.name(), new DeliveryState(DeliveryState.DONE, attempts(work, destination) + 1,
                    clock.now(), null, clock.now(), false));
        }
        holds.delivered(destination.name());
        metrics.delivered(destination.name(), work.startedAt(destination.name()));
        mdc.noDestination();
    }

    /** The database destination's done state, committed with its rows (then recorded with {@link #savedWithRows}). */
    public DeliveryState doneState(EventWork work, Destination destination) {
        return new DeliveryState(DeliveryState.DONE, attempts(work, destination) + 1, clock.now(), null, clock.now(), false);
    }

    /**
     * The rows and the done state are committed: the outcome is in the work, saved already; with the
     * event's finish when finished (then every outcome of this attempt is saved).
     */
    public void savedWithRows(EventWork work, Destination destination, DeliveryState done, boolean finished) {
        work.outcome(destination.name(), done.asSaved());
        if (finished) {
            work.getOutcomes().replaceAll((name, state) -> state.asSaved());
            work.finishedWithRows();
        }
    }

    /** The destination failed: it is retried after its own backoff, or parked after hub.retry.max-attempts. */
    public void failed(EventWork work, Destination destination, Exception error) {
        int attempts = attempts(work, destination) + 1;
        String line = errors.oneLine(error);
        boolean park = attempts >= retry.getMaxAttempts();
        work.outcome(destination.name(), new DeliveryState(park ? DeliveryState.PARKED : DeliveryState.PENDING, attempts,
                retry.nextAttempt(attempts), line, null, false));
        if (EventRefusals.isTheEventsOwn(error)) {
            holds.delivered(destination.name()); // it answered: up, only this event is refused
        } else {
            holds.failed(destination.name(), line, clock.now());
        }
        metrics.failed(destination.name());
        mdc.noDestination();
    }

    /**
     * One batch of finishes: every event's delivery rows and inbox state in one transaction, the
     * state UPDATEs as one JDBC batch; if that fails, each event alone, so each gets its own outcome.
     */
    private List<Finish> writeFinishes(List<Finish> batch) {
        if (batch.size() > 1) {
            try {
                writeFinishes(batch, true);
                metrics.finishBatch(batch.size(), true);
                return batch;
            } catch (SQLException e) {
                metrics.finishBatch(batch.size(), false);
                LOG.debug("finish batch of {} events failed, each is written alone: {}", batch.size(), e.toString());
            }
        }
        List<Finish> results = new ArrayList<>(batch.size());
        for (Finish finish : batch) {
            try {
                writeFinishes(List.of(finish), false);
                metrics.finishBatch(1, true);
                results.add(finish);
            } catch (SQLException e) {
                metrics.finishBatch(1, false);
                results.add(finish.failed(e));
            }
        }
        return results;
    }

    private void writeFinishes(List<Finish> batch, boolean together) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (together) {
                Transactions.inTransaction(connection, c -> {
                    writeFinishes(c, batch);
                    return null;
                });
            } else {
                writeFinishes(connection, batch); // one event: with auto-commit, no transaction round trips
            }
        }
    }

    private static void writeFinishes(Connection connection, List<Finish> batch) throws SQLException {
        List<DeliveryRows.Outcomes> outcomes = new ArrayList<>(batch.size());
        for (Finish finish : batch) {
            EventWork work = finish.work();
            outcomes.add(new DeliveryRows.Outcomes(work.getInboxId(), work.getOutcomes(), work.recordedDestinations()));
        }
        DeliveryRows.saveAll(connection, outcomes);
        writeStates(connection, batch);
    }

    private static void writeStates(Connection connection, List<Finish> batch) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FINISH)) {
            for (Finish finish : batch) {
                update.setString(1, finish.state());
                update.setObject(2, finish.doneAt());
                update.setObject(3, finish.next());
                update.setString(4, finish.lastError());
                update.setString(5, finish.work().getArchiveKey());
                update.setString(6, finish.work().getInboxId());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /** Stops taking finishes once the routes are stopped: an open batch is written at once. */
    @Override
    protected void doStop() throws InterruptedException {
        finishes.stop();
    }

    /** Takes finishes (again, after a restart of the CamelContext in tests). */
    @Override
    protected void doStart() {
        finishes.start();
    }

    private static int attempts(EventWork work, Destination destination) {
        DeliveryState recorded = work.recorded(destination.name());
        return recorded == null ? 0 : recorded.attempts();
    }

    /** The process route's last step: the outcomes of a routed event (see {@link #finish}). */
    public List<Alert> finished(@Variable("work") EventWork work, @Variable("kind") String kind) throws Exception {
        return finish(work, kind, null);
    }

    /**
     * Writes the outcomes of this attempt and the event's new state. kind is what the routing made of
     * the event (success, fail, other); null when processing failed before it was routed, and then
     * processError says why. Returns the notices for ops of deliveries that parked in this attempt.
     */
    public List<Alert> finish(EventWork work, String kind, Exception processError) throws Exception {
        mdc.noDestination();
        OffsetDateTime now = clock.now();
        List<String> errorsNow = new ArrayList<>();
        List<Alert> parkedNow = new ArrayList<>();
        work.getOutcomes().forEach((name, state) -> {
            if (state.lastError() != null) {
                errorsNow.add(name + ": " + state.lastError());
            }
        });
        String state;
        OffsetDateTime next = null;
        if (kind == null) {
            // Nothing was routed (the database failed under the worker, ...): the event as a whole is retried.
            errorsNow.add("process: " + errors.oneLine(processError));
            state = work.getAttempts() >= retry.getMaxAttempts() ? DeliveryState.PARKED : DeliveryState.PENDING;
            next = retry.nextAttempt(work.getAttempts());
        } else {
            Decision decision = decide(work, kind, now, null);
            state = decision.state();
            next = decision.next();
        }
        String lastError = errorsNow.isEmpty() ? null : Errors.cap(String.join("; ", errorsNow));
        // done and written already, with the database destination's rows (finishesWith)
        boolean written = kind != null && work.isFinishedWithRows() && DeliveryState.DONE.equals(state) && lastError == null;
        if (!written) {
            Finish finish = finishes.submit(new Finish(work, state, DeliveryState.DONE.equals(state) ? now : null,
                    next == null ? now : next, lastError));
            if (finish.error() != null) {
                throw finish.error();
            }
        }
        eventLog.finished(work, destinations, kind, state, next, now, processError);
        String job = work.getEvent() == null ? "?" : Errors.flat(work.getEvent().getJobId());
        work.getOutcomes().forEach((name, outcome) -> {
            if (outcome.isParked()) {
                metrics.parked(name);
                LOG.error("event {} (job {}) PARKED for destination {} after {} attempts: {}", work.getInboxId(), job, name,
                        outcome.attempts(), outcome.lastError());
                parkedNow.add(notices.parked(work.getEvent(), work.getInboxId(), name, outcome.attempts(), outcome.lastError()));
            }
        });
        if (kind == null && DeliveryState.PARKED.equals(state)) {
            LOG.error("event {} (job {}) PARKED after {} attempts: {}", work.getInboxId(), job, work.getAttempts(), lastError);
            parkedNow.add(notices.parked(work.getEvent(), work.getInboxId(), "process", work.getAttempts(), lastError));
        } else if (lastError != null && parkedNow.isEmpty()) {
            LOG.warn("event {} (job {}) will be retried at {}: {}", work.getInboxId(), job, next, lastError);
        }
        return parkedNow;
    }
}
