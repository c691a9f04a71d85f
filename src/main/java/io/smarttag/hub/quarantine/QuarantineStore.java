package io.smarttag.hub.quarantine;

import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.config.HubSettings;
import io.smarttag.hub.db.SqlFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps rejected bodies (bad JSON, not an event, unreadable queue messages), bounded:
 * <ul>
 * <li>only the first {@code keepBytes} bytes of a body are kept, with its full size and SHA-256;</li>
 * <li>the entries of one source (http, mns, ...) together count at most {@code maxTotalBytes} (kept
 *     body + reason + {@value #ENTRY_OVERHEAD} bytes per entry). When the cap is reached, new rejections
 *     of that source are dropped and counted, and what is already kept stays: flooding the quarantine
 *     cannot push out the evidence of an earlier attack, nor crowd out another source's entries (a
 *     poison queue message while unsigned HTTP garbage pours in), and retention makes room again;</li>
 * <li>entries older than {@code retentionHours} are deleted by {@link #cleanUp()} (a timer route).</li>
 * </ul>
 * The table is the store; when it cannot be written (database down) the entry goes to two files
 * under {@code dir} ({@code <source>.<id>.body} and {@code <source>.<id>.reason.txt}) under the same
 * bounds, the folder having its own cap of {@code maxTotalBytes} per source (each file counted in whole
 * 4 KiB blocks; files not named so, from before, count against every source).
 * <p>
 * Every value written is an argument of {@link #store}, bound from exchange variables and the body,
 * and set on a JDBC statement by position: no message header can reach the SQL.
 */
public class QuarantineStore {

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineStore.class);

    /** What an entry costs besides its kept body and reason (row or file overhead, ids, size, hash). */
    public static final int ENTRY_OVERHEAD = 512;
    private static final int MAX_REASON_CHARS = 2000;
    private static final int MAX_SOURCE_CHARS = 16;
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String REASON_SUFFIX = ".reason.txt";
    private static final String BODY_SUFFIX = ".body";
    /** A file is counted in whole blocks of this size (at least one): what it really takes on disk. */
    static final int FILE_BLOCK = 4096;

    private static final String RESERVE = SqlFiles.load("quarantine-reserve");
    private static final String ADD_SOURCE = SqlFiles.load("quarantine-add-source");
    private static final String INSERT = SqlFiles.load("quarantine-insert");
    private static final String COUNT_DROP = SqlFiles.load("quarantine-count-drop");
    private static final String EXPIRE = SqlFiles.load("quarantine-expire");
    private static final String LOCK_USAGE = SqlFiles.load("quarantine-lock-usage");
    private static final String RECOUNT = SqlFiles.load("quarantine-recount");
    private static final String TOTAL = SqlFiles.load("quarantine-total");
    /** Names of files written by this store: {@code <source>.<id>.body} and {@code <source>.<id>.reason.txt}. */
    private static final Pattern FILE_NAME = Pattern.compile("(?:\\.tmp-)?([A-Za-z0-9_]+)\\.[0-9a-f-]{36}\\..*");

    private final DataSource dataSource;
    private final HubClock clock;
    private final Path dir;
    private final int keepBytes;
    private final long maxTotalBytes;
    private final long retentionHours;
    private final long noticeIntervalNanos;
    private final QuarantineMetrics metrics;

    /** Sources whose usage row is known to exist (rows are never deleted). */
    private final Set<String> sourcesWithUsageRow = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Object fileLock = new Object();
    /** Folder bytes per source; the key "" holds files not named by this store (older ones), counted against every source. */
    private Map<String, Long> fileBytes;

    private final Object noticeLock = new Object();
    private long droppedSinceNotice;
    private long filesSinceNotice;
    private long unwritableSinceNotice;
    private String lastDatabaseError;
    private String lastFileError;
    private long lastNoticeNanos;
    private boolean noticed;

    public QuarantineStore(DataSource dataSource, HubClock clock, Path dir, int keepBytes, long maxTotalBytes,
            long retentionHours, long noticeIntervalMs, QuarantineMetrics metrics) {
        if (keepBytes < 0 || maxTotalBytes < 0 || retentionHours < 0 || noticeIntervalMs <= 0) {
            throw new IllegalArgumentException("hub.quarantine.* must not be negative (interval: positive)");
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.dir = dir;
        this.keepBytes = keepBytes;
        this.maxTotalBytes = maxTotalBytes;
        this.retentionHours = retentionHours;
        this.noticeIntervalNanos = noticeIntervalMs * 1_000_000L;
        this.metrics = metrics;
    }

    /** The store as configured by the hub.quarantine.* properties. */
    public static QuarantineStore fromSettings(HubSettings settings, DataSource dataSource, HubClock clock,
            QuarantineMetrics metrics) {
        return new QuarantineStore(dataSource, clock, Path.of(settings.text("hub.quarantine.dir")),
                settings.integer("hub.quarantine.keep-bytes"), settings.number("hub.quarantine.max-total-bytes"),
                settings.number("hub.quarantine.retention-hours"), settings.number("hub.quarantine.cleanup-interval-ms"),
                metrics);
    }

    /**
     * Keeps one rejected body: in the table, else as files, else (cap reached, or no file could be
     * written either) counts it as dropped. Never throws: the source answers the same either way.
     */
    public void store(@Variable("source") String source, @Variable("quarantineReason") String reason, @Body byte[] body) {
        Entry entry = new Entry(source, reason, body == null ? new byte[0] : body);
        try {
            if (storeInTable(entry)) {
                metrics.stored();
                metrics.addTableBytes(entry.storedBytes);
            } else {
                dropped();
            }
            return;
        } catch (SQLException | RuntimeException e) {
            noteFallback(e);
        }
        try {
            if (storeAsFiles(entry)) {
                metrics.storedAsFile();
            } else {
                dropped();
            }
        } catch (IOException | RuntimeException e) {
            synchronized (noticeLock) {
                unwritableSinceNotice++;
                lastFileError = e.toString();
            }
            dropped();
        }
    }

    private boolean storeInTable(Entry entry) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean room = reserve(c, entry);
                if (!room && !sourcesWithUsageRow.contains(entry.source)) {
                    // full, or the source's first entry: add its row (if no other writer did) and try again
                    try (PreparedStatement add = c.prepareStatement(ADD_SOURCE)) {
                        add.setString(1, entry.source);
                        add.executeUpdate();
                    }
                    room = reserve(c, entry);
                }
                if (room) {
                    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                        insert.setString(1, entry.id);
                        insert.setObject(2, entry.receivedAt);
                        insert.setString(3, entry.source);
                        insert.setString(4, entry.reason);
                        insert.setBytes(5, entry.kept);
                        insert.setLong(6, entry.size);
                        insert.setString(7, entry.sha256);
                        insert.setBoolean(8, entry.truncated);
                        insert.setLong(9, entry.storedBytes);
                        insert.executeUpdate();
                    }
                } else {
                    try (PreparedStatement drop = c.prepareStatement(COUNT_DROP)) {
                        drop.setString(1, entry.source);
                        drop.executeUpdate();
                    }
                }
                c.commit();
                sourcesWithUsageRow.add(entry.source);
                return room;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    private boolean reserve(Connection c, Entry entry) throws SQLException {
        try (PreparedStatement reserve = c.prepareStatement(RESERVE)) {
            reserve.setLong(1, entry.storedBytes);
            reserve.setString(2, entry.source);
            reserve.setLong(3, entry.storedBytes);
            reserve.setLong(4, maxTotalBytes);
            return reserve.executeUpdate() == 1;
        }
    }

    private boolean storeAsFiles(Entry entry) throws IOException {
        byte[] reasonFile = entry.reasonFile();
        long bytes = onDisk(entry.kept.length) + onDisk(reasonFile.length);
        synchronized (fileLock) {
            if (fileBytes == null) {
                fileBytes = scanFiles(null);
            }
            long used = fileBytes.getOrDefault(entry.source, 0L) + fileBytes.getOrDefault("", 0L);
            if (used + bytes > maxTotalBytes) {
                return false;
            }
            Files.createDirectories(dir);
            String name = entry.source + "." + entry.id;
            write(name + BODY_SUFFIX, entry.kept);
            write(name + REASON_SUFFIX, reasonFile);
            fileBytes.merge(entry.source, bytes, Long::sum);
            metrics.fileBytes(sum(fileBytes));
            return true;
        }
    }

    private static long sum(Map<String, Long> bytes) {
        return bytes.values().stream().mapToLong(Long::longValue).sum();
    }

    private void write(String name, byte[] content) throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + name);
        Files.write(temp, content);
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The timer's work: deletes rows and files older than the retention time (counted), sets the
     * running totals from what is really there, and repeats the dropped-bodies notice if it is due.
     * Files are cleaned even while the database is down; the database error is then rethrown.
     */
    public void cleanUp() throws SQLException, IOException {
        OffsetDateTime cutoff = retentionHours == 0 ? null : clock.now().minusHours(retentionHours);
        SQLException databaseFailure = null;
        try {
            cleanTable(cutoff);
        } catch (SQLException e) {
            databaseFailure = e;
        }
        synchronized (fileLock) {
            fileBytes = scanFiles(cutoff);
            metrics.fileBytes(sum(fileBytes));
        }
        notice();
        if (databaseFailure != null) {
            throw databaseFailure;
        }
    }

    private void cleanTable(OffsetDateTime cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (cutoff != null) {
                int expired;
                try (PreparedStatement expire = c.prepareStatement(EXPIRE)) {
                    expire.setObject(1, cutoff);
                    expired = expire.executeUpdate();
                }
                if (expired > 0) {
                    metrics.expired(expired);
                    LOG.info("quarantine retention: deleted {} rows received before {}", expired, cutoff);
                }
            }
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement(LOCK_USAGE); ResultSet rs = lock.executeQuery()) {
                    while (rs.next()) {
                        // locks every source's row
                    }
                }
                try (PreparedStatement recount = c.prepareStatement(RECOUNT)) {
                    recount.executeUpdate();
                }
                long total;
                try (PreparedStatement sum = c.prepareStatement(TOTAL); ResultSet rs = sum.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
                c.commit();
                metrics.tableBytes(total);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    /** Deletes files older than cutoff (if any) and returns the bytes of the files left, per source. Under fileLock. */
    private Map<String, Long> scanFiles(OffsetDateTime cutoff) throws IOException {
        Map<String, Long> total = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return total;
        }
        FileTime oldest = cutoff == null ? null : FileTime.from(cutoff.toInstant());
        Set<String> expiredEntries = new HashSet<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        for (Path file : files) {
            try {
                String name = file.getFileName().toString();
                if (oldest != null && Files.getLastModifiedTime(file).compareTo(oldest) < 0) {
                    Files.deleteIfExists(file);
                    if (!name.startsWith(TEMP_PREFIX)) {
                        expiredEntries.add(entryName(name));
                    }
                } else {
                    Matcher named = FILE_NAME.matcher(name);
                    total.merge(named.matches() ? named.group(1) : "", onDisk(Files.size(file)), Long::sum);
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // deleted meanwhile
            }
        }
        if (!expiredEntries.isEmpty()) {
            metrics.expired(expiredEntries.size());
            LOG.info("quarantine retention: deleted {} entries from {} older than {} hours", expiredEntries.size(), dir, retentionHours);
        }
        return total;
    }

    /** Bytes a file of this size counts against the cap: whole blocks, at least one (many tiny files fill a disk too). */
    static long onDisk(long size) {
        return Math.max(1, (size + FILE_BLOCK - 1) / FILE_BLOCK) * FILE_BLOCK;
    }

    /** The entry a file belongs to: its name without the .body / .reason.txt ending. */
    private static String entryName(String fileName) {
        for (String suffix : new String[] {BODY_SUFFIX, REASON_SUFFIX}) {
            if (fileName.endsWith(suffix)) {
                return fileName.substring(0, fileName.length() - suffix.length());
            }
        }
        return fileName;
    }

    private void dropped() {
        metrics.dropped();
        synchronized (noticeLock) {
            droppedSinceNotice++;
        }
        notice();
    }

    private void noteFallback(Exception e) {
        synchronized (noticeLock) {
            filesSinceNotice++;
            lastDatabaseError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        notice();
    }

    /** At most one WARN per interval about each of: the file fallback, unwritable files, drops; with their counts. */
    private void notice() {
        long dropped;
        long files;
        long unwritable;
        String error;
        String fileError;
        synchronized (noticeLock) {
            long now = System.nanoTime();
            if ((droppedSinceNotice == 0 && filesSinceNotice == 0) || (noticed && now - lastNoticeNanos < noticeIntervalNanos)) {
                return;
            }
            noticed = true;
            lastNoticeNanos = now;
            dropped = droppedSinceNotice;
            files = filesSinceNotice;
            unwritable = unwritableSinceNotice;
            error = lastDatabaseError;
            fileError = lastFileError;
            droppedSinceNotice = 0;
            filesSinceNotice = 0;
            unwritableSinceNotice = 0;
        }
        if (files > 0) {
            LOG.warn("quarantine table unavailable ({}): {} rejected bodies went to files under {} (within the folder's cap) "
                    + "since the last notice", error, files, dir);
        }
        if (unwritable > 0) {
            LOG.warn("quarantine files could not be written either ({}): {} rejected bodies dropped since the last notice",
                    fileError, unwritable);
            dropped -= unwritable;
        }
        if (dropped > 0) {
            LOG.warn("quarantine full (cap hub.quarantine.max-total-bytes = {} bytes per source): {} rejected bodies dropped since the "
                    + "last notice, {} since start; what is kept stays {}", maxTotalBytes, dropped, metrics.getDroppedTotal(),
                    retentionHours == 0 ? "until deleted by an operator" : "until it is " + retentionHours + " hours old");
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** One rejected body as it is kept: prefix, size, hash. */
    private final class Entry {
        final String id = UUID.randomUUID().toString();
        final OffsetDateTime receivedAt = clock.now();
        final String source;
        final String reason;
        final byte[] kept;
        final long size;
        final String sha256;
        final boolean truncated;
        final long storedBytes;

        Entry(String source, String reason, byte[] body) {
            // part of a file name too: letters, digits and _ only
            String name = source == null ? "" : source.replaceAll("[^A-Za-z0-9_]", "_");
            this.source = limit(name.isEmpty() ? "unknown" : name, MAX_SOURCE_CHARS);
            this.reason = limit(reason == null ? "" : reason, MAX_REASON_CHARS);
            this.size = body.length;
            this.truncated = body.length > keepBytes;
            this.kept = truncated ? Arrays.copyOf(body, keepBytes) : body;
            this.sha256 = sha256(body);
            this.storedBytes = kept.length + this.reason.getBytes(StandardCharsets.UTF_8).length + (long) ENTRY_OVERHEAD;
        }

        /** The reason first (as before), then what the table keeps in its columns. */
        byte[] reasonFile() {
            return (reason + "\n\nsource: " + source + "\nreceived_at: " + receivedAt + "\nbody_size: " + size
                    + "\nbody_sha256: " + sha256 + "\ntruncated: " + truncated + "\nkept_bytes: " + kept.length + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** At most chars characters, without NUL (PostgreSQL refuses it in text). */
    private static String limit(String raw, int chars) {
        String text = raw.indexOf('\u0000') < 0 ? raw : raw.replace('\u0000', ' ');
        if (text.length() <= chars) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(chars - 1)) ? chars - 1 : chars;
        return text.substring(0, end);
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
