package io.smarttag.hub.quarantine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the quarantine since this instance started, for operators (and later Prometheus).
 * The dropped count of all instances together is also in the database,
 * {@code SELECT dropped FROM smarttag_quarantine_usage}.
 */
public final class QuarantineMetrics {

    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong storedAsFiles = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong tableBytes = new AtomicLong();
    private final AtomicLong fileBytes = new AtomicLong();

    /** Rejected bodies written to the quarantine table. */
    public long getStoredTotal() {
        return stored.get();
    }

    /** Rejected bodies written as files under hub.quarantine.dir (the table could not be written). */
    public long getStoredAsFilesTotal() {
        return storedAsFiles.get();
    }

    /** Rejected bodies not kept: the cap (table or folder) was reached, or not even the file could be written. */
    public long getDroppedTotal() {
        return dropped.get();
    }

    /** Entries (rows and files) deleted by retention. */
    public long getExpiredTotal() {
        return expired.get();
    }

    /** An entry kept in the table, counted until the next cleanup recounts the table. */
    void addTableBytes(long bytes) {
        tableBytes.addAndGet(bytes);
    }

    /** Bytes the table's entries count against the cap: the last cleanup's count plus what was kept since. */
    public long getTableBytes() {
        return tableBytes.get();
    }

    /** Bytes of the files under hub.quarantine.dir, each counted in whole 4 KiB blocks. */
    public long getFileBytes() {
        return fileBytes.get();
    }

    void stored() {
        stored.incrementAndGet();
    }

    void storedAsFile() {
        storedAsFiles.incrementAndGet();
    }

    void dropped() {
        dropped.incrementAndGet();
    }

    void expired(long entries) {
        expired.addAndGet(entries);
    }

    void tableBytes(long bytes) {
        tableBytes.set(bytes);
    }

    void fileBytes(long bytes) {
        fileBytes.set(bytes);
    }
}
