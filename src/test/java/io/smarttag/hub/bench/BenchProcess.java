package io.smarttag.hub.bench;

import java.net.URI;

/**
 * A process the benchmark loads and measures: the hub, or the same-work baseline. CPU is read the
 * same way for both (utime + stime of the process from /proc), so their CPU per event compares.
 */
interface BenchProcess {

    /** The process id (for jcmd). */
    long pid();

    /** Where signed callbacks are posted. */
    URI callbackUri();

    /** CPU seconds the process has used so far. */
    double cpuSeconds();

    /** Holds processing back: accepted events wait (in memory and in the inbox) until {@link #release()}. */
    void hold() throws Exception;

    /** Lets processing take the events held back. */
    void release() throws Exception;

    /** Called once the released events are done (or the wait for them timed out). */
    default void drained() throws Exception {
    }

    /** Fails the run at once if the process is gone (its numbers would be meaningless). */
    void checkAlive(String during);
}
