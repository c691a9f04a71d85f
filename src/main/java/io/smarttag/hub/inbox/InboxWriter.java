package io.smarttag.hub.inbox;

import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.GroupCommit;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Transactions;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.metrics.HubMetrics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Durable accept with group commit: callbacks (and queue messages) that reach accept together are
 * written to the inbox in one transaction, one JDBC batch of inbox-insert.sql, and each caller
 * returns only after the commit that holds its row. The grouping (window, leader/follower, failure
 * and stop) is {@link GroupCommit}'s, with {@code hub.accept.batch-max} rows and
 * {@code hub.accept.batch-window-ms}; a batch of one is one INSERT with autocommit, as before group
 * commit. Over HTTP a batch never holds more callers than the Vert.x worker pool of platform-http
 * (20 threads by default).
 *
 * <p><b>Duplicates.</b> Rows are inserted in the order of their dedup key, so two batches committing
 * at once take the unique index's locks in the same order and cannot deadlock on each other (two
 * batches holding the same two events in opposite orders would, on PostgreSQL). A second copy of an
 * event inside one batch is not sent at all: it gets null (duplicate) once the batch committed its
 * first copy; across batches and instances ON CONFLICT DO NOTHING decides, as before.
 *
 * <p><b>Failure.</b> An SQLException on the batch or the commit rolls the batch back and every
 * caller in it gets an SQLException of its own, so each is spooled (HTTP) or left in its queue (MNS)
 * exactly as a failed single insert was; callers of other batches are not affected.
 *
 * <p><b>Stopping.</b> {@link #doStop()} refuses new callers (IllegalStateException: HTTP answers
 * 503, a queue message stays in the queue) and lets open batches commit at once.
 */
public class InboxWriter extends ServiceSupport {

    private static final String INSERT = SqlFiles.load("inbox-insert");

    private final DataSource dataSource;
    private final HubClock clock;
    private final long graceMillis;
    private final EventMdc mdc = new EventMdc("accept");
    private final GroupCommit<Row, Boolean> group;

    /** One row to insert, its parameters computed before the caller joins a batch. */
    private record Row(String id, String dedupKey, VodEvent event, String source, byte[] body, OffsetDateTime receivedAt) {
    }

    public InboxWriter(DataSource dataSource, HubClock clock, long graceMillis, int batchMax, long windowMillis, HubMetrics metrics) {
        if (batchMax < 1 || windowMillis < 0) {
            throw new IllegalArgumentException("hub.accept.batch-max must be at least 1 and hub.accept.batch-window-ms at least 0");
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.graceMillis = graceMillis;
        this.group = new GroupCommit<>("inbox batch", batchMax, windowMillis, this::insert, metrics::acceptBatch);
    }

    /** Whether callers are grouped at all (window above 0 and batches of more than one row). */
    public boolean isGrouping() {
        return group.isGrouping();
    }

    /**
     * Writes a validated event to the inbox (committed when this returns); returns its new inbox id,
     * or null when it is a repeated delivery of an event already there (or earlier in the same batch).
     */
    public String accept(@Variable("rawEvent") Object raw, @Variable("accepted") VodEvent event,
            @Variable("source") String source) throws Exception {
        Stored stored = store(raw, event, source);
        return stored == null ? null : stored.id();
    }

    /** The new row's id and received_at, exactly as stored (what a hand-off in memory carries to processing). */
    public record Stored(String id, OffsetDateTime receivedAt) {
    }

    /** As {@link #accept}, returning the stored row's id and received_at, or null for a repeated delivery. */
    public Stored store(Object raw, VodEvent event, String source) throws Exception {
        byte[] body = raw instanceof byte[] bytes ? bytes : String.valueOf(raw).getBytes(StandardCharsets.UTF_8);
        // the id is the event's (EventIds): a copy of an event retention deleted gets the id it had;
        // microseconds: what both databases keep, so a copy of it in memory equals the stored value
        Row row = new Row(EventIds.of(event.getEventType(), event.getJobId(), event.getStatus()),
                EventIds.dedupKey(event.getEventType(), event.getJobId(), event.getStatus()), event, source, body,
                clock.now().truncatedTo(ChronoUnit.MICROS));
        boolean stored = group.submit(row);
        mdc.event(event, stored ? row.id() : null);
        return stored ? new Stored(row.id(), row.receivedAt()) : null;
    }

    /** One batch: a single row with autocommit (no transaction round trips), more in one transaction. */
    private List<Boolean> insert(List<Row> rows) throws SQLException {
        if (rows.size() == 1) {
            return List.of(insertOne(rows.get(0)));
        }
        boolean[] stored = new boolean[rows.size()];
        insertAll(rows, stored);
        List<Boolean> results = new ArrayList<>(rows.size());
        for (boolean one : stored) {
            results.add(one);
        }
        return results;
    }

    /** One row, one statement with autocommit. */
    private boolean insertOne(Row row) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
            bind(insert, row);
            return insert.executeUpdate() == 1;
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
            Transactions.inTransaction(connection, c -> {
                try (PreparedStatement insert = c.prepareStatement(INSERT)) {
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
                        storedById(c, rows, sent, stored);
                    }
                }
                return null;
            });
        }
    }

    private static void storedById(Connection connection, List<Row> rows, List<Integer> sent, boolean[] stored) throws SQLException {
        // the id is the event's, so a copy stored earlier has it too: this row's receipt time tells them apart
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM smarttag_inbox WHERE id = ? AND received_at = ?")) {
            for (int i : sent) {
                select.setString(1, rows.get(i).id());
                select.setObject(2, rows.get(i).receivedAt());
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

    /** Refuses new callers, lets open batches commit at once and waits until every caller inside has its answer. */
    @Override
    protected void doStop() throws InterruptedException {
        group.stop();
    }

    /** For a restart of the CamelContext (tests): callers are taken again. */
    @Override
    protected void doStart() {
        group.start();
    }
}
