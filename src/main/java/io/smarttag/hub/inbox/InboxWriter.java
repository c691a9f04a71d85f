package io.smarttag.hub.inbox;

import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.metrics.HubMetrics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable accept with group commit: callbacks (and queue messages) that reach accept together are
 * written to the inbox in one transaction, one JDBC batch of inbox-insert.sql, and each caller
 * returns only after the commit that holds its row.
 *
 * <p><b>Grouping.</b> A caller's row joins the open batch; the batch is committed when it holds
 * {@code hub.accept.batch-max} rows or {@code hub.accept.batch-window-ms} has passed since its first
 * row, whichever comes first. The window is only waited out when there is someone to wait for: if
 * the caller that opens a batch is the only one inside accept at that moment (no other caller
 * waiting for a commit, none in the batch), it commits at once, so a lone callback (low rate, one
 * MNS poller handing messages over one by one, the spool drain) pays no window at all and is
 * written exactly as before: a batch of one is one INSERT with autocommit. Under load there are always callers waiting for a
 * commit, the window is used, and the batches grow with the load. A window of 0 (or a batch-max of
 * 1) turns grouping off: every caller inserts its own row with autocommit, as before this class.
 * A batch never holds more callers than are blocked in accept at once: over HTTP that is at most
 * the Vert.x worker pool of platform-http (20 threads by default), so batches of HTTP callbacks
 * stay at or below 20 whatever batch-max says.
 *
 * <p><b>Leader/follower, no committer thread.</b> The caller that opens a batch is its leader: it
 * waits out the window (woken early when the batch fills up), seals the batch, and commits it on
 * its own thread; the followers block until the leader has committed (or failed) and then read
 * their result. A dedicated committer thread would cost a thread hand-off twice per batch (rows to
 * the committer, results back), i.e. two context switches on the 2 cores the hub shares; it would
 * be one more thread to start, stop and keep alive, and it would serialise the commits of a busy
 * instance on one connection, while leaders of successive batches commit in parallel on the pool.
 * The callers are threads that block anyway (Vert.x worker threads of platform-http, MNS pollers,
 * the spool poller); the leader is one of them doing the work it would have done alone. Nothing
 * here owns a thread, so nothing can leak one.
 *
 * <p><b>Duplicates.</b> Rows are inserted in the order of their dedup key, so two batches committing
 * at once take the unique index's locks in the same order and cannot deadlock on each other (two
 * batches holding the same two events in opposite orders would, on PostgreSQL). A second copy of an
 * event inside one batch is not sent at all: it gets null (duplicate) once the batch committed its
 * first copy; across batches and instances ON CONFLICT DO NOTHING decides, as before.
 *
 * <p><b>Failure.</b> An SQLException on the batch or the commit rolls the batch back and every
 * caller in it gets an SQLException (its own, with the batch's error as cause), so each is spooled
 * (HTTP) or left in its queue (MNS) exactly as a failed single insert was; callers of other batches
 * are not affected. A caller waiting for its batch is not interruptible: its row is in a
 * transaction already, and giving up would answer it without knowing whether the row is stored
 * (the interrupt flag is kept for the caller to see afterwards). The wait is bounded the way a
 * single insert was: by the pool's connect timeout and the database's own timeouts.
 *
 * <p><b>Stopping.</b> {@link #doStop()} refuses new callers (IllegalStateException: HTTP answers
 * 503, a queue message stays in the queue), cuts the window of open batches short so they commit
 * at once, and waits (up to 30 s) until every caller inside has its answer. The routes that call
 * accept are stopped before this, so in practice there is nothing left to drain.
 */
public class InboxWriter extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final String INSERT = SqlFiles.load("inbox-insert");
    private static final long DRAIN_MILLIS = 30_000;

    private final DataSource dataSource;
    private final HubClock clock;
    private final long graceMillis;
    private final int batchMax;
    private final long windowNanos;
    private final HubMetrics metrics;
    private final EventMdc mdc = new EventMdc();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the last caller inside leaves. */
    private final Condition idle = lock.newCondition();
    /** The batch new callers join; null when none is open. Guarded by lock. */
    private Batch open;
    /** Callers inside accept: in an open batch, or waiting for their batch's commit. Guarded by lock. */
    private int inside;
    /** Set by doStop: no caller is taken any more. Guarded by lock. */
    private boolean closed;

    /** One row to insert, its parameters computed before the caller joins a batch. */
    private record Row(String id, String dedupKey, VodEvent event, String source, byte[] body, OffsetDateTime receivedAt) {
    }

    /** Rows committed together; written by its leader, read by its followers after {@link #done}. */
    private final class Batch {
        final List<Row> rows = new ArrayList<>();
        /** Signalled when the batch is full (or the writer stops): the leader stops waiting. */
        final Condition sealable = lock.newCondition();
        final CountDownLatch done = new CountDownLatch(1);
        /** Whether each row was inserted (false: a duplicate); set before done. */
        boolean[] stored;
        /** Why the batch failed; set before done. */
        Throwable failure;
    }

    public InboxWriter(DataSource dataSource, HubClock clock, long graceMillis, int batchMax, long windowMillis, HubMetrics metrics) {
        if (batchMax < 1 || windowMillis < 0) {
            throw new IllegalArgumentException("hub.accept.batch-max must be at least 1 and hub.accept.batch-window-ms at least 0");
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.graceMillis = graceMillis;
        this.batchMax = batchMax;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.metrics = metrics;
    }

    /** Whether callers are grouped at all (window above 0 and batches of more than one row). */
    public boolean isGrouping() {
        return windowNanos > 0 && batchMax > 1;
    }

    /**
     * Writes a validated event to the inbox (committed when this returns); returns its new inbox id,
     * or null when it is a repeated delivery of an event already there (or earlier in the same batch).
     */
    public String accept(@Variable("rawEvent") Object raw, @Variable("accepted") VodEvent event,
            @Variable("source") String source) throws SQLException {
        byte[] body = raw instanceof byte[] bytes ? bytes : String.valueOf(raw).getBytes(StandardCharsets.UTF_8);
        Row row = new Row(UUID.randomUUID().toString(), event.getEventType() + "|" + event.getJobId() + "|" + event.getStatus(),
                event, source, body, clock.now());
        boolean stored = isGrouping() ? grouped(row) : single(row);
        mdc.event(event, stored ? row.id() : null);
        return stored ? row.id() : null;
    }

    /** No grouping: one insert with autocommit, as before group commit. */
    private boolean single(Row row) throws SQLException {
        enter();
        try {
            boolean stored = insertOne(row);
            metrics.acceptBatch(1, true);
            return stored;
        } catch (SQLException | RuntimeException e) {
            metrics.acceptBatch(1, false);
            throw e;
        } finally {
            leave();
        }
    }

    /** One row, one statement with autocommit: no transaction round trips for a batch of one. */
    private boolean insertOne(Row row) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
            bind(insert, row);
            return insert.executeUpdate() == 1;
        }
    }

    private void enter() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the inbox writer is stopped");
            }
            inside++;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            if (--inside == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean grouped(Row row) throws SQLException {
        Batch batch;
        int index;
        boolean leader;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the inbox writer is stopped");
            }
            inside++;
            leader = open == null;
            if (leader) {
                open = new Batch();
            }
            batch = open;
            index = batch.rows.size();
            batch.rows.add(row);
            if (batch.rows.size() >= batchMax) {
                open = null; // sealed: the next caller opens a new batch
                batch.sealable.signal();
            }
        } finally {
            lock.unlock();
        }
        try {
            if (leader) {
                try {
                    gather(batch);
                } finally {
                    commit(batch); // whatever happened, the followers get an answer
                }
            } else {
                awaitUninterruptibly(batch.done);
            }
            if (batch.failure != null) {
                throw failureFor(batch.failure, leader);
            }
            return batch.stored[index];
        } finally {
            leave();
        }
    }

    /**
     * The leader waits for followers: until the batch is full, the window has passed since its first
     * row (this leader's), or the writer stops; not at all if no other caller is inside accept.
     * Then the batch is sealed: later callers open the next one.
     */
    private void gather(Batch batch) {
        long deadline = System.nanoTime() + windowNanos;
        boolean interrupted = false;
        lock.lock();
        try {
            // inside counts this leader too: 1 means nobody else is in accept to be grouped with
            while (open == batch && !closed && inside > 1) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    batch.sealable.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true; // commit what there is now; the flag is set again below
                    break;
                }
            }
            if (open == batch) {
                open = null;
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One transaction for the sealed batch; its result (or failure) is published to its followers. */
    private void commit(Batch batch) {
        lock.lock();
        try {
            if (open == batch) {
                open = null; // gather sealed it already, unless it failed: no one may join a batch being written
            }
        } finally {
            lock.unlock();
        }
        List<Row> rows = batch.rows;
        boolean[] stored = new boolean[rows.size()];
        // an interrupt must not reach the driver (H2 closes its file on one): kept and set again after
        boolean interrupted = Thread.interrupted();
        try {
            if (rows.size() == 1) {
                stored[0] = insertOne(rows.get(0));
            } else {
                insertAll(rows, stored);
            }
            batch.stored = stored;
            metrics.acceptBatch(rows.size(), true);
        } catch (Throwable e) {
            batch.failure = e;
            metrics.acceptBatch(rows.size(), false);
            if (rows.size() > 1) {
                LOG.warn("inbox batch of {} events failed, each is answered as not stored: {}", rows.size(), reason(e));
            }
        } finally {
            batch.done.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void insertAll(List<Row> rows, boolean[] stored) throws SQLException {
        // by dedup key (stable: the first to arrive of two copies is the one sent), skipping copies
        List<Integer> order = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> rows.get(i).dedupKey()));
        List<Integer> sent = new ArrayList<>(rows.size());
        Set<String> keys = new HashSet<>();
        for (int i : order) {
            if (keys.add(rows.get(i).dedupKey())) {
                sent.add(i);
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    for (int i : sent) {
                        bind(insert, rows.get(i));
                        insert.addBatch();
                    }
                    int[] counts = insert.executeBatch();
                    boolean unknown = false;
                    for (int k = 0; k < sent.size(); k++) {
                        int count = k < counts.length ? counts[k] : Statement.SUCCESS_NO_INFO;
                        unknown |= count == Statement.SUCCESS_NO_INFO;
                        stored[sent.get(k)] = count == 1;
                    }
                    if (unknown) {
                        // a driver that rewrites the batch (PostgreSQL reWriteBatchedInserts) does not
                        // count per row: the rows with our ids are the ones inserted
                        storedById(connection, rows, sent, stored);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // the pool resets or discards the connection
                }
            }
        }
    }

    private static void storedById(Connection connection, List<Row> rows, List<Integer> sent, boolean[] stored) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM smarttag_inbox WHERE id = ?")) {
            for (int i : sent) {
                select.setString(1, rows.get(i).id());
                try (ResultSet row = select.executeQuery()) {
                    stored[i] = row.next();
                }
            }
        }
    }

    private void bind(PreparedStatement insert, Row row) throws SQLException {
        VodEvent event = row.event();
        insert.setString(1, row.id());
        insert.setString(2, row.dedupKey());
        insert.setString(3, event.getEventType());
        insert.setString(4, event.getJobId());
        insert.setString(5, event.getMediaId());
        insert.setString(6, event.getStatus());
        insert.setString(7, row.source());
        insert.setBytes(8, row.body());
        insert.setObject(9, row.receivedAt());
        insert.setObject(10, row.receivedAt().plusNanos(graceMillis * 1_000_000L));
    }

    /**
     * What one caller of a failed batch throws: an SQLException of its own (one exception object is
     * never shared by the exchanges of several threads) with the batch's error as its cause. Its
     * message is the database's first line only: a driver's batch error can quote the statement
     * with the values of every row in the batch, bodies of other callers' events included.
     */
    private static SQLException failureFor(Throwable failure, boolean leader) {
        if (failure instanceof SQLException sql) {
            return new SQLException("inbox batch not stored: " + reason(sql), sql.getSQLState(), sql.getErrorCode(), sql);
        }
        if (leader && failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (leader && failure instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("inbox batch not stored: " + reason(failure), failure);
    }

    /** The error's kind and the first line of what the database said (of a batch: of its first failed row). */
    static String reason(Throwable error) {
        Throwable said = error;
        if (error instanceof SQLException sql && sql.getNextException() != null) {
            said = sql.getNextException();
        }
        String message = said.getMessage() == null ? "" : said.getMessage().strip();
        int end = message.indexOf('\n');
        String line = (end < 0 ? message : message.substring(0, end)).strip();
        if (line.endsWith("; SQL statement:")) {
            line = line.substring(0, line.length() - "; SQL statement:".length()); // H2 quotes the statement below
        }
        if (line.length() > 200) {
            line = line.substring(0, 200) + "...";
        }
        String state = error instanceof SQLException sql && sql.getSQLState() != null ? " (SQLState " + sql.getSQLState() + ")" : "";
        return error.getClass().getSimpleName() + state + (line.isEmpty() ? "" : ": " + line);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Refuses new callers, lets open batches commit at once and waits until every caller inside has its answer. */
    @Override
    protected void doStop() throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            if (open != null) {
                open.sealable.signalAll();
            }
            long left = TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
            while (inside > 0 && left > 0) {
                left = idle.awaitNanos(left);
            }
            if (inside > 0) {
                LOG.warn("inbox writer stopped with {} caller(s) still waiting for their commit", inside);
            }
        } finally {
            lock.unlock();
        }
    }

    /** For a restart of the CamelContext (tests): callers are taken again. */
    @Override
    protected void doStart() {
        lock.lock();
        try {
            closed = false;
        } finally {
            lock.unlock();
        }
    }
}
