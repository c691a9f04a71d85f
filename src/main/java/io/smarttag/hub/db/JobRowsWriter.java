package io.smarttag.hub.db;

import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.inbox.DeliveryRows;
import io.smarttag.hub.inbox.DeliveryState;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.inbox.InboxEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database destination: an event's job row, tag rows and ASR rows, and the delivery row that
 * says they are written, in one transaction of their own. When it is the last destination the event
 * owes (the default hub.destinations lists it after the archive) and every other one is done, the
 * event's finish (the other delivery rows, the inbox state done) is in that transaction too: one
 * commit per event instead of two. A failure here rolls back exactly these rows and is recorded as
 * a failed attempt by the caller (the inbox's attempts and last_error are written outside, and
 * survive).
 *
 * <p><b>Many events per transaction.</b> Workers writing at the same time share one transaction
 * ({@link GroupCommit}, {@code hub.database.batch-max} events, {@code hub.database.batch-window-ms}):
 * the job rows one after another, then the tag rows of all of them as one JDBC batch, the ASR rows as
 * another, the delivery rows, one commit. A batch that fails is rolled back and each of its events
 * is written again alone, in its own transaction, so one bad event fails only itself and delays the
 * others by one round of statements. Events of one batch are written in JobId order, so two batches
 * lock job rows in the same order (no deadlock between them on PostgreSQL); a second event of a JobId
 * already in the batch is written after it, alone, so the rule below sees the first one's row.
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
public class JobRowsWriter extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(JobRowsWriter.class);
    private static final String JOB_INSERT = SqlFiles.load("job-insert");
    private static final String JOB_LOCK = SqlFiles.load("job-lock");
    private static final String JOB_UPDATE = SqlFiles.load("job-update");
    private static final String TAGS_DELETE = SqlFiles.load("job-delete-tags");
    private static final String ASR_DELETE = SqlFiles.load("job-delete-asr");
    private static final MultiRowInsert TAG_INSERT = new MultiRowInsert(SqlFiles.load("tag-insert"));
    private static final MultiRowInsert ASR_INSERT = new MultiRowInsert(SqlFiles.load("asr-insert"));

    /** Which of two events of one job the job row shows: the greater. Missing EventTime sorts first. */
    static final Comparator<Version> LATER = Comparator
            .comparing(Version::eventTime, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Version::receivedAt, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** What decides between two events of one job. */
    record Version(OffsetDateTime eventTime, OffsetDateTime receivedAt) {
    }

    /**
     * One event's rows, computed on its worker's thread before it joins a batch. finish: when this
     * destination is the last the event owes (InboxEngine.finishesWith), every outcome of the attempt
     * with this one's done state, written with the rows together with the event's state done; else null.
     */
    private record Item(EventWork work, Destination destination, VodEvent event, Version version, EventRows.Values rows,
            DeliveryState done, Map<String, DeliveryState> finish) {
    }

    /** What became of one event of a batch: its tag rows written, or why it was not written. */
    private record Written(int tagRows, Exception error) {
    }

    private final DataSource dataSource;
    private final EventRows eventRows;
    private final Clock clock;
    private final InboxEngine engine;
    private final GroupCommit<Item, Written> group;
    private final BiConsumer<Integer, Boolean> transactions;

    public JobRowsWriter(DataSource dataSource, EventRows eventRows, Clock clock, InboxEngine engine) {
        this(dataSource, eventRows, clock, engine, 1, 0, (events, committed) -> { });
    }

    public JobRowsWriter(DataSource dataSource, EventRows eventRows, Clock clock, InboxEngine engine, int batchMax,
            long windowMillis, BiConsumer<Integer, Boolean> transactions) {
        if (batchMax < 1 || windowMillis < 0) {
            throw new IllegalArgumentException("hub.database.batch-max must be at least 1 and hub.database.batch-window-ms at least 0");
        }
        this.engine = engine;
        this.dataSource = dataSource;
        this.eventRows = eventRows;
        this.clock = clock;
        this.transactions = transactions;
        // every transaction is counted by writeBatch (with its outcome): the batch as a whole never fails
        this.group = new GroupCommit<>("database batch", batchMax, windowMillis, this::writeBatch, (events, written) -> { });
    }

    /**
     * Writes the rows of one claimed event and records this destination's delivery as done, in one
     * transaction (shared with other workers' events); returns the number of tag rows written (0 when
     * a later event of the same job already holds the row).
     */
    public int write(@Variable("work") EventWork work, @Variable("destination") Destination destination,
            @Variable("kind") String kind) throws Exception {
        VodEvent event = work.getEvent();
        EventRows.Values rows = "success".equals(event.getStatus()) && event.isTagEvent()
                ? eventRows.values(event) : EventRows.Values.none();
        Version version = new Version(EventTimes.parseUtc(event.getEventTime()), Timestamps.utc(work.getReceivedAt()));
        DeliveryState done = engine.doneState(work, destination);
        Map<String, DeliveryState> finish = null;
        if (engine.finishesWith(work, destination, kind)) {
            finish = new LinkedHashMap<>(work.getOutcomes());
            finish.put(destination.name(), done);
        }
        Item item = new Item(work, destination, event, version, rows, done, finish);
        Written written = group.submit(item);
        if (written.error() != null) {
            throw written.error();
        }
        engine.savedWithRows(work, destination, item.done(), finish != null);
        return written.tagRows();
    }

    /**
     * One batch: all its events in one transaction; if that fails, each event alone, so each gets its
     * own outcome (an exception object of its own: it is thrown on the event's worker).
     */
    private List<Written> writeBatch(List<Item> items) {
        Map<Item, Written> results = new IdentityHashMap<>();
        List<Item> together = new ArrayList<>();
        List<Item> alone = new ArrayList<>();
        Set<String> jobs = new HashSet<>();
        items.stream().sorted(Comparator.comparing((Item item) -> item.event().getJobId()))
                .forEach(item -> (jobs.add(item.event().getJobId()) ? together : alone).add(item));
        if (together.size() > 1) {
            try {
                List<Integer> counts = transaction(together);
                for (int i = 0; i < together.size(); i++) {
                    results.put(together.get(i), new Written(counts.get(i), null));
                }
                transactions.accept(together.size(), true);
            } catch (SQLException | RuntimeException e) {
                transactions.accept(together.size(), false);
                LOG.warn("database batch of {} events failed, each is written alone: {}", together.size(), GroupCommit.reason(e));
                alone.addAll(0, together);
            }
        } else {
            alone.addAll(0, together);
        }
        for (Item item : alone) {
            try {
                results.put(item, new Written(transaction(List.of(item)).get(0), null));
                transactions.accept(1, true);
            } catch (SQLException | RuntimeException e) {
                transactions.accept(1, false);
                results.put(item, new Written(0, e));
            }
        }
        List<Written> ordered = new ArrayList<>(items.size());
        for (Item item : items) {
            ordered.add(results.get(item));
        }
        return ordered;
    }

    /** The rows of these events (of different jobs) and their delivery rows, in one transaction. */
    private List<Integer> transaction(List<Item> items) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try (Connection connection = dataSource.getConnection()) {
            return Transactions.inTransaction(connection, c -> {
                List<Integer> written = new ArrayList<>(items.size());
                List<EventRows.Values> winners = new ArrayList<>(items.size());
                int tagRows = 0;
                int asrRows = 0;
                int[] inserted = insertJobs(c, items, now);
                for (int i = 0; i < items.size(); i++) {
                    Item item = items.get(i);
                    boolean wins = inserted[i] == 1 || replaceJob(c, item, now);
                    if (wins) {
                        winners.add(item.rows());
                        tagRows += item.rows().tagCount();
                        asrRows += item.rows().asrCount();
                    }
                    written.add(wins ? item.rows().tagCount() : 0);
                }
                // the rows of all winners, bound as they are produced (none is held as an object)
                try (MultiRowInsert.Writer tags = TAG_INSERT.writer(c, tagRows)) {
                    for (EventRows.Values rows : winners) {
                        rows.tags(tags::add);
                    }
                }
                try (MultiRowInsert.Writer asr = ASR_INSERT.writer(c, asrRows)) {
                    for (EventRows.Values rows : winners) {
                        rows.asr(asr::add);
                    }
                }
                // this destination's delivery row; with every outcome of the attempt for an event it finishes
                List<DeliveryRows.Outcomes> deliveries = new ArrayList<>(items.size());
                List<EventWork> finished = new ArrayList<>();
                for (Item item : items) {
                    EventWork work = item.work();
                    if (work.isBackfill()) {
                        continue; // no inbox row: the backfill keeps its own checkpoint
                    }
                    Map<String, DeliveryState> outcomes = item.finish();
                    if (outcomes != null) {
                        finished.add(work);
                    } else {
                        outcomes = Map.of(item.destination().name(), item.done());
                    }
                    deliveries.add(new DeliveryRows.Outcomes(work.getInboxId(), outcomes, work.recordedDestinations()));
                }
                DeliveryRows.saveAll(c, deliveries);
                engine.writeDone(c, finished);
                return written;
            });
        }
    }

    /**
     * The job rows of a first delivery, all in one JDBC batch (one round trip; the items are of
     * different jobs, in JobId order): 1 where the row was inserted, 0 where the job had one already.
     * A driver that cannot tell (SUCCESS_NO_INFO) sends every item through replaceJob, which is
     * correct for a row just inserted too, only slower.
     */
    private static int[] insertJobs(Connection connection, List<Item> items, OffsetDateTime now) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(JOB_INSERT)) {
            for (Item item : items) {
                insert.setString(1, item.event().getJobId());
                bindJob(insert, 2, item.event(), item.version(), now, item.rows().tagCount(), item.work().getArchiveKey());
                insert.addBatch();
            }
            return insert.executeBatch();
        }
    }

    /**
     * The job had a row already (a replay, a second event of the job): this event's row replaces it
     * if this event is the later one, with the job's old tag and ASR rows deleted. False: a later
     * event holds the row.
     */
    private boolean replaceJob(Connection connection, Item item, OffsetDateTime now) throws SQLException {
        VodEvent event = item.event();
        String jobId = event.getJobId();
        String archiveKey = item.work().getArchiveKey();
        Version current = lockJob(connection, jobId);
        if (current != null && LATER.compare(item.version(), current) < 0) {
            return false;
        }
        try (PreparedStatement update = connection.prepareStatement(JOB_UPDATE)) {
            int next = bindJob(update, 1, event, item.version(), now, item.rows().tagCount(), archiveKey);
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
        return true;
    }

    @Override
    protected void doStop() throws InterruptedException {
        group.stop();
    }

    @Override
    protected void doStart() {
        group.start();
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
}
