package io.smarttag.hub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one operation from a fixed number of threads, each with its own connection (HTTP socket,
 * JDBC connection, ...) and synchronous calls.
 * Closed loop: every thread sends its next request as soon as the last one is answered (max rate).
 * Open loop: requests are due at a fixed rate; latency counts from the time a request was due, not
 * when it was sent, so a stalled server cannot hide its stall (no coordinated omission).
 */
final class LoadDriver {

    /** One thread's operation; seq is unique across all threads of the run. */
    interface Op extends AutoCloseable {
        void call(long seq) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface OpFactory {
        Op open() throws Exception;
    }

    /** What a load run measured. loadCpuSeconds: CPU used by the load threads themselves. */
    record Result(long ok, long errors, double seconds, Latencies latencies, double loadCpuSeconds,
                  String firstError, long startMillis, long endMillis) {
        double perSecond() {
            return ok / seconds;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LoadDriver() {
    }

    static Result closedLoop(int threads, long durationMs, long maxCount, OpFactory factory) throws Exception {
        return run(threads, durationMs, maxCount, 0, factory);
    }

    static Result openLoop(int threads, double ratePerSecond, long durationMs, long maxCount, OpFactory factory)
            throws Exception {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("no rate to run an open loop at: " + ratePerSecond
                    + " (the max-rate phase it is derived from measured nothing)");
        }
        return run(threads, durationMs, maxCount, ratePerSecond, factory);
    }

    private static Result run(int threads, long durationMs, long maxCount, double rate, OpFactory factory)
            throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong cpuNanos = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicReference<Exception> setupFailure = new AtomicReference<>();
        List<Latencies> latencies = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] startNanos = new long[1];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Latencies mine = new Latencies();
            latencies.add(mine);
            Thread worker = new Thread(() -> {
                Op op;
                try {
                    op = factory.open();
                } catch (Exception e) {
                    setupFailure.compareAndSet(null, e);
                    ready.countDown();
                    return;
                }
                try (op) {
                    ready.countDown();
                    go.await();
                    long cpu0 = THREADS.getCurrentThreadCpuTime();
                    long start = startNanos[0];
                    long end = start + durationMs * 1_000_000L;
                    double period = rate > 0 ? 1e9 / rate : 0;
                    while (true) {
                        long seq = next.getAndIncrement();
                        long due = rate > 0 ? start + (long) (seq * period) : System.nanoTime();
                        if (seq >= maxCount || due >= end) {
                            break;
                        }
                        if (rate > 0) {
                            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                                LockSupport.parkNanos(wait);
                            }
                        }
                        try {
                            op.call(seq);
                            mine.add(System.nanoTime() - due);
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
                        }
                    }
                    cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
                } catch (Exception e) {
                    firstError.compareAndSet(null, e.toString());
                }
            }, "bench-load-" + t);
            workers.add(worker);
            worker.start();
        }
        ready.await();
        if (setupFailure.get() != null) {
            go.countDown();
            throw setupFailure.get();
        }
        long startMillis = System.currentTimeMillis();
        startNanos[0] = System.nanoTime();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - startNanos[0]) / 1e9;
        return new Result(ok.get(), errors.get(), seconds, Latencies.merge(latencies), cpuNanos.get() / 1e9,
                firstError.get(), startMillis, System.currentTimeMillis());
    }
}
