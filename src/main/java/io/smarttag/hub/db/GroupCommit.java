package io.smarttag.hub.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: callers that reach the same write at the same time share one transaction. The
 * inbox's accept ({@code InboxWriter}) and the database destination's rows ({@link JobRowsWriter})
 * use it; what a batch writes is theirs, the grouping is this class's.
 *
 * <p><b>Grouping.</b> A caller's item joins the open batch; the batch is written when it holds
 * batchMax items or the window has passed since its first item, whichever comes first. The window
 * is only waited out when there is someone to wait for: if the caller that opens a batch is the only
 * one inside at that moment, it writes at once, so a lone caller pays no window at all. Under load
 * there are always callers waiting for a commit, the window is used, and the batches grow with the
 * load. A window of 0 (or a batchMax of 1) turns grouping off: every caller writes its own batch of
 * one. A batch never holds more callers than are blocked here at once (HTTP worker threads, queue
 * pollers, processing workers).
 *
 * <p><b>Leader/follower, no writer thread.</b> The caller that opens a batch is its leader: it waits
 * out the window (woken early when the batch fills up), seals the batch, and writes it on its own
 * thread; the followers block until the leader is done and then read their result. A dedicated
 * writer thread would cost two thread hand-offs per batch on the 2 cores the hub shares, and would
 * serialise the commits of a busy instance on one connection, while leaders of successive batches
 * commit in parallel on the pool. Nothing here owns a thread, so nothing can leak one.
 *
 * <p><b>Failure.</b> When the batch writer throws, every caller of the batch gets an exception of its
 * own (one exception object is never shared by the exchanges of several threads) with the batch's
 * error as its cause; callers of other batches are not affected. A writer that must isolate one bad
 * item instead returns per-item outcomes. A caller waiting for its batch is not interruptible: its
 * item is in a transaction already, and giving up would answer it without knowing whether it is
 * stored (the interrupt flag is kept for the caller to see afterwards).
 *
 * <p><b>Stopping.</b> {@link #stop()} refuses new callers (IllegalStateException), cuts the window of
 * an open batch short so it is written at once, and waits (up to 30 s) until every caller inside has
 * its answer.
 */
public final class GroupCommit<T, R> {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final long DRAIN_MILLIS = 30_000;

    /** Writes a batch in one transaction: one result per item, in order; an exception fails them all. */
    @FunctionalInterface
    public interface BatchWriter<T, R> {
        List<R> write(List<T> items) throws Exception;
    }

    private final String what;
    private final int batchMax;
    private final long windowNanos;
    private final BatchWriter<T, R> writer;
    private final BiConsumer<Integer, Boolean> written;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the last caller inside leaves. */
    private final Condition idle = lock.newCondition();
    /** The batch new callers join; null when none is open. Guarded by lock. */
    private Batch open;
    /** Callers inside: in an open batch, or waiting for their batch's commit. Guarded by lock. */
    private int inside;
    /** Set by stop: no caller is taken any more. Guarded by lock. */
    private boolean closed;

    /** Items written together; written by its leader, read by its followers after {@link #done}. */
    private final class Batch {
        final List<T> items = new ArrayList<>();
        /** Signalled when the batch is full (or the grouping stops): the leader stops waiting. */
        final Condition sealable = lock.newCondition();
        final CountDownLatch done = new CountDownLatch(1);
        /** The writer's results; set before done. */
        List<R> results;
        /** Why the batch failed; set before done. */
        Throwable failure;
    }

    /**
     * what: the batch in an error message ("inbox batch"); written: told each batch's size and
     * whether it was written (metrics).
     */
    public GroupCommit(String what, int batchMax, long windowMillis, BatchWriter<T, R> writer, BiConsumer<Integer, Boolean> written) {
        if (batchMax < 1 || windowMillis < 0) {
            throw new IllegalArgumentException(what + ": the batch maximum must be at least 1 and the window at least 0 ms");
        }
        this.what = what;
        this.batchMax = batchMax;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.writer = writer;
        this.written = written;
    }

    /** Whether callers are grouped at all (window above 0 and batches of more than one item). */
    public boolean isGrouping() {
        return windowNanos > 0 && batchMax > 1;
    }

    /** Writes the item with whoever else is writing now; returns its result once it is committed. */
    public R submit(T item) throws Exception {
        Batch batch;
        int index;
        boolean leader;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(what + " is stopped");
            }
            inside++;
            leader = open == null || !isGrouping();
            if (leader) {
                batch = new Batch();
                if (isGrouping()) {
                    open = batch;
                }
            } else {
                batch = open;
            }
            index = batch.items.size();
            batch.items.add(item);
            if (open == batch && batch.items.size() >= batchMax) {
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
                    write(batch); // whatever happened, the followers get an answer
                }
            } else {
                awaitUninterruptibly(batch.done);
            }
            if (batch.failure != null) {
                throw failureFor(batch.failure, leader);
            }
            return batch.results.get(index);
        } finally {
            leave();
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

    /**
     * The leader waits for followers: until the batch is full, the window has passed since its first
     * item (this leader's), or the grouping stops; not at all if no other caller is inside. Then the
     * batch is sealed: later callers open the next one.
     */
    private void gather(Batch batch) {
        if (!isGrouping()) {
            return;
        }
        long deadline = System.nanoTime() + windowNanos;
        boolean interrupted = false;
        lock.lock();
        try {
            // inside counts this leader too: 1 means nobody else is here to be grouped with
            while (open == batch && !closed && inside > 1) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    batch.sealable.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true; // write what there is now; the flag is set again below
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

    /** One transaction for the sealed batch; its results (or failure) are published to its followers. */
    private void write(Batch batch) {
        lock.lock();
        try {
            if (open == batch) {
                open = null; // no one may join a batch being written
            }
        } finally {
            lock.unlock();
        }
        // an interrupt must not reach the driver (H2 closes its file on one): kept and set again after
        boolean interrupted = Thread.interrupted();
        try {
            List<R> results = writer.write(batch.items);
            if (results.size() != batch.items.size()) {
                throw new IllegalStateException(what + ": " + results.size() + " results for " + batch.items.size() + " items");
            }
            batch.results = results;
            written.accept(batch.items.size(), true);
        } catch (Throwable e) {
            batch.failure = e;
            written.accept(batch.items.size(), false);
            if (batch.items.size() > 1) {
                LOG.warn("{} of {} failed, each is answered as not stored: {}", what, batch.items.size(), reason(e));
            }
        } finally {
            batch.done.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What one caller of a failed batch throws: an exception of its own with the batch's error as its
     * cause. Its message is the database's first line only: a driver's batch error can quote the
     * statement with the values of every item in the batch, other callers' included.
     */
    private Exception failureFor(Throwable failure, boolean leader) {
        if (failure instanceof SQLException sql) {
            return new SQLException(what + " not stored: " + reason(sql), sql.getSQLState(), sql.getErrorCode(), sql);
        }
        if (leader && failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (leader && failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(what + " not stored: " + reason(failure), failure);
    }

    /** The error's kind and the first line of what the database said (of a batch: of its first failed row). */
    public static String reason(Throwable error) {
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

    /** Refuses new callers, lets an open batch be written at once and waits until every caller inside has its answer. */
    public void stop() throws InterruptedException {
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
                LOG.warn("{} stopped with {} caller(s) still waiting for their commit", what, inside);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Callers are taken (again, after a stop: a restart of the CamelContext in tests). */
    public void start() {
        lock.lock();
        try {
            closed = false;
        } finally {
            lock.unlock();
        }
    }
}
