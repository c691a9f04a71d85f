package io.smarttag.hub.db;

import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.InvalidEventException;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.inbox.DeliveryRows;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.inbox.InboxEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.Variable;

/**
 * The database destination: an event's job row, tag rows and ASR rows, and the delivery row that
 * says they are written, in one transaction of its own. Nothing else of the event's bookkeeping is
 * in it, so a failure here rolls back exactly these rows and is recorded as a failed attempt by the
 * caller (the inbox's attempts and last_error are written outside, and survive).
 *
 * <p>Several events of one JobId (a success and a fail milliseconds apart, a replay) converge on
 * one job row, whatever order the workers take them in: the event with the later EventTime wins;
 * on equal EventTime the one received later; an event without EventTime loses to one with. The
 * losing event writes no rows. Its job row is locked while this is decided, so two workers never
 * race (the earlier DELETE-then-INSERT failed one of them with a duplicate key).
 *
 * <p>Every value is bound from the typed event and the inbox row: nothing of a request or an
 * exchange header can reach a column.
 */
public class JobRowsWriter {

    private static final String JOB_INSERT = SqlFiles.load("job-insert");
    private static final String JOB_LOCK = SqlFiles.load("job-lock");
    private static final String JOB_UPDATE = SqlFiles.load("job-update");
    private static final String TAGS_DELETE = SqlFiles.load("job-delete-tags");
    private static final String ASR_DELETE = SqlFiles.load("job-delete-asr");
    private static final String TAG_INSERT = SqlFiles.load("tag-insert");
    private static final String ASR_INSERT = SqlFiles.load("asr-insert");

    /** Which of two events of one job the job row shows: the greater. Missing EventTime sorts first. */
    static final Comparator<Version> LATER = Comparator
            .comparing(Version::eventTime, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Version::receivedAt, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** What decides between two events of one job. */
    record Version(OffsetDateTime eventTime, OffsetDateTime receivedAt) {
    }

    private final DataSource dataSource;
    private final EventRows eventRows;
    private final Clock clock;
    private final InboxEngine engine;

    public JobRowsWriter(DataSource dataSource, EventRows eventRows, Clock clock, InboxEngine engine) {
        this.engine = engine;
        this.dataSource = dataSource;
        this.eventRows = eventRows;
        this.clock = clock;
    }

    /**
     * Writes the rows of one claimed event and records this destination's delivery as done, in one
     * transaction; returns the number of tag rows written (0 when a later event of the same job
     * already holds the row).
     */
    public int write(@Variable("work") EventWork work, @Variable("destination") Destination destination)
            throws SQLException, InvalidEventException {
        VodEvent event = work.getEvent();
        EventRows.Rows rows = "success".equals(event.getStatus()) && event.isTagEvent()
                ? eventRows.rows(event) : new EventRows.Rows(List.of(), List.of());
        Version version = new Version(EventTimes.parseUtc(event.getEventTime()), Timestamps.utc(work.getReceivedAt()));
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                int written = writeRows(connection, event, version, now, rows, work.getArchiveKey());
                DeliveryRows.save(connection, work.getInboxId(), java.util.Map.of(destination.name(), engine.doneInTransaction(work, destination)),
                        work.recordedDestinations());
                connection.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private int writeRows(Connection connection, VodEvent event, Version version, OffsetDateTime now,
            EventRows.Rows rows, String archiveKey) throws SQLException {
        String jobId = event.getJobId();
        boolean inserted;
        try (PreparedStatement insert = connection.prepareStatement(JOB_INSERT)) {
            insert.setString(1, jobId);
            bindJob(insert, 2, event, version, now, rows.tagCount(), archiveKey);
            inserted = insert.executeUpdate() == 1;
        }
        if (!inserted) {
            Version current = lockJob(connection, jobId);
            if (current != null && LATER.compare(version, current) < 0) {
                return 0;
            }
            try (PreparedStatement update = connection.prepareStatement(JOB_UPDATE)) {
                int next = bindJob(update, 1, event, version, now, rows.tagCount(), archiveKey);
                update.setString(next, jobId);
                update.executeUpdate();
            }
            // Tag and ASR rows only ever exist with their job row, so a first delivery skips these.
            for (String delete : new String[] {TAGS_DELETE, ASR_DELETE}) {
                try (PreparedStatement statement = connection.prepareStatement(delete)) {
                    statement.setString(1, jobId);
                    statement.executeUpdate();
                }
            }
        }
        batch(connection, TAG_INSERT, rows.tagValues());
        batch(connection, ASR_INSERT, rows.asrValues());
        return rows.tagCount();
    }

    /** Binds media_id .. archive_key from position first on; returns the next position. */
    private static int bindJob(PreparedStatement statement, int first, VodEvent event, Version version,
            OffsetDateTime now, int tagCount, String archiveKey) throws SQLException {
        int i = first;
        statement.setString(i++, event.getMediaId());
        statement.setString(i++, event.getStatus());
        statement.setString(i++, event.getCode());
        statement.setString(i++, event.getMessage());
        statement.setObject(i++, version.eventTime());
        statement.setObject(i++, version.receivedAt());
        statement.setObject(i++, now);
        statement.setInt(i++, tagCount);
        statement.setString(i++, archiveKey);
        return i;
    }

    private static Version lockJob(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(JOB_LOCK)) {
            lock.setString(1, jobId);
            try (ResultSet row = lock.executeQuery()) {
                return row.next()
                        ? new Version(Timestamps.utc(row.getObject(1, OffsetDateTime.class)), Timestamps.utc(row.getObject(2, OffsetDateTime.class)))
                        : null;
            }
        }
    }

    private static void batch(Connection connection, String sql, List<List<Object>> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (List<Object> row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    insert.setObject(i + 1, row.get(i));
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
