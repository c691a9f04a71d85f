package io.smarttag.hub.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbox retention (hub.inbox.retention-days; 0 keeps everything): events done for every
 * destination (done or skipped) more than that many days ago lose their inbox row and delivery
 * rows. The raw event stays in the archive; job, tag and ASR rows are the product and stay.
 * Parked and pending events are never deleted, however old.
 *
 * <p>Deleted in small transactions of hub.inbox.retention-batch events each: a SELECT ... FOR UPDATE
 * SKIP LOCKED picks and locks the batch, the deletes follow in the same transaction. Any number of
 * instances can run it at the same time: each batch is locked by one of them, the others skip it.
 *
 * <p>The deduplication window is the retention window: a copy of a deleted event arriving later is
 * a new event again (stored once, with the same event id, and delivered again).
 */
public class InboxRetention {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRetention.class);
    private static final String DELETE_DELIVERIES = SqlFiles.load("retention-delete-deliveries");
    private static final String DELETE_INBOX = SqlFiles.load("retention-delete-inbox");
    /** Most batches one run deletes, so a first run on a large inbox does not hold the timer for long. */
    static final int MAX_BATCHES_PER_RUN = 100;

    private final DataSource dataSource;
    private final HubClock clock;
    private final int retentionDays;
    private final int batch;
    private final Counter deletedEvents;
    private final Counter deletedDeliveries;
    private volatile String select;

    public InboxRetention(DataSource dataSource, HubClock clock, int retentionDays, int batch, MeterRegistry meters) {
        if (retentionDays < 0 || batch < 1) {
            throw new IllegalArgumentException("hub.inbox.retention-days must be 0 or more and hub.inbox.retention-batch at least 1");
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.retentionDays = retentionDays;
        this.batch = batch;
        this.deletedEvents = Counter.builder("smarttag.retention.deleted")
                .description("Inbox rows deleted by retention (events done longer ago than hub.inbox.retention-days)")
                .tag("table", "inbox").register(meters);
        this.deletedDeliveries = Counter.builder("smarttag.retention.deleted")
                .description("Inbox rows deleted by retention (events done longer ago than hub.inbox.retention-days)")
                .tag("table", "delivery").register(meters);
    }

    public boolean isEnabled() {
        return retentionDays > 0;
    }

    /** One run of the timer: batches until none is full (or {@value #MAX_BATCHES_PER_RUN}); returns the events deleted. */
    public int run() throws SQLException {
        if (!isEnabled()) {
            return 0;
        }
        OffsetDateTime cutoff = clock.now().minusDays(retentionDays);
        int total = 0;
        for (int i = 0; i < MAX_BATCHES_PER_RUN; i++) {
            int deleted = deleteBatch(cutoff);
            total += deleted;
            if (deleted < batch) {
                break;
            }
        }
        if (total > 0) {
            LOG.info("retention: {} event(s) done before {} deleted from the inbox", total, cutoff);
        }
        return total;
    }

    private int deleteBatch(OffsetDateTime cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            int[] deleted = Transactions.inTransaction(connection, c -> {
                List<String> ids = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement(selectSql(c))) {
                    select.setObject(1, cutoff);
                    select.setInt(2, batch);
                    try (ResultSet row = select.executeQuery()) {
                        while (row.next()) {
                            ids.add(row.getString(1));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    return new int[] {0, 0};
                }
                return new int[] {sum(execute(c, DELETE_INBOX, ids)), sum(execute(c, DELETE_DELIVERIES, ids))};
            });
            deletedEvents.increment(deleted[0]);
            deletedDeliveries.increment(deleted[1]);
            return deleted[0];
        }
    }

    private static int[] execute(Connection c, String sql, List<String> ids) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement(sql)) {
            for (String id : ids) {
                delete.setString(1, id);
                delete.addBatch();
            }
            return delete.executeBatch();
        }
    }

    private static int sum(int[] counts) {
        int total = 0;
        for (int count : counts) {
            total += Math.max(count, 0);
        }
        return total;
    }

    private String selectSql(Connection connection) throws SQLException {
        if (select == null) {
            boolean postgres = connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
            select = SqlFiles.load(postgres ? "retention-select-postgresql" : "retention-select-h2");
        }
        return select;
    }
}
