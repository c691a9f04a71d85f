package io.smarttag.hub.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Transactions;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfills the operator starts, pauses, resumes and cancels (POST /observe/backfill, the /ops
 * form, the backfill command); {@link BackfillRunner} runs them. Each is a row of smarttag_backfill.
 */
public class Backfills {

    private static final Logger LOG = LoggerFactory.getLogger(Backfills.class);
    private static final String INSERT = SqlFiles.load("backfill-insert");
    private static final String LIST = SqlFiles.load("backfill-list");
    private static final String GET = SqlFiles.load("backfill-get");
    private static final String PAUSE = SqlFiles.load("backfill-pause");
    private static final String RESUME = SqlFiles.load("backfill-resume");
    private static final String CANCEL = SqlFiles.load("backfill-cancel");
    private static final String REOPEN = SqlFiles.load("backfill-reopen");
    private static final String UNPARK = SqlFiles.load("backfill-unpark");
    private static final String UNPARKED = SqlFiles.load("backfill-unparked");
    private static final String PARKED_ITEMS = SqlFiles.load("backfill-items-parked");
    static final Set<String> KINDS = Set.of("success", "fail", "other");
    /** Longest date range of one backfill, in days (ten years). */
    static final int MAX_DAYS = 3660;

    /** A request the hub refuses: status 400 (bad request) or 409 (a backfill of the destination is active). */
    public static final class Refused extends Exception {
        private final int status;

        public Refused(int status, String reason) {
            super(reason);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final DataSource dataSource;
    private final Destinations destinations;
    private final HubClock clock;

    public Backfills(DataSource dataSource, Destinations destinations, HubClock clock) {
        this.dataSource = dataSource;
        this.destinations = destinations;
        this.clock = clock;
    }

    /**
     * Starts a backfill from a request {"destination", "from", "to", optional "kinds" (comma list of
     * success, fail, other), "archive" (an archive destination; default the first of hub.destinations)
     * and "filter"}; returns it as stored.
     */
    public Backfill start(JsonNode request) throws Refused, SQLException {
        String name = text(request, "destination");
        Destination destination = name == null ? null : destinations.named(name);
        if (destination == null) {
            throw new Refused(400, "destination must be one of hub.destinations: " + destinations.names());
        }
        LocalDate from = date(request, "from");
        LocalDate to = date(request, "to");
        if (to.isBefore(from) || from.plusDays(MAX_DAYS).isBefore(to)) {
            throw new Refused(400, "from must not be after to, and the range at most " + MAX_DAYS + " days");
        }
        String archiveName = text(request, "archive");
        Destination archive = archiveName != null ? destinations.named(archiveName)
                : destinations.ofType("archive").stream().findFirst().orElse(null);
        if (archive == null || !archive.type().equals("archive")) {
            throw new Refused(400, "archive must name an archive destination of hub.destinations (none is configured)");
        }
        if (archive.name().equals(destination.name())) {
            throw new Refused(400, "a backfill reads the archive " + archive.name() + " and cannot fill it");
        }
        Set<String> kinds = new LinkedHashSet<>();
        String kindList = text(request, "kinds");
        if (kindList != null) {
            Arrays.stream(kindList.split(",")).map(String::trim).filter(k -> !k.isEmpty()).forEach(kinds::add);
            if (!KINDS.containsAll(kinds)) {
                throw new Refused(400, "kinds is a comma list of success, fail, other");
            }
        }
        String filter = text(request, "filter");
        if (filter != null) {
            // an extra EventBridge pattern, applied with the destination's own filter (BackfillRunner.takes)
            try {
                io.smarttag.hub.destination.EventFilter.compile("filter", filter);
            } catch (IllegalArgumentException invalid) {
                throw new Refused(400, invalid.getMessage());
            }
        }
        OffsetDateTime now = clock.now();
        String id = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT)) {
            int i = 1;
            insert.setString(i++, id);
            insert.setString(i++, destination.name());
            insert.setString(i++, destination.name());
            insert.setString(i++, archive.name());
            insert.setObject(i++, from);
            insert.setObject(i++, to);
            insert.setString(i++, String.join(",", kinds));
            insert.setString(i++, filter);
            insert.setObject(i++, now);
            insert.setObject(i, now);
            insert.executeUpdate();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                throw new Refused(409, "a backfill of " + destination.name() + " is running or paused: cancel it or wait");
            }
            throw e;
        }
        LOG.info("backfill {} started: {} from archive {} for {} .. {}{}", id, destination.name(), archive.name(), from, to,
                kinds.isEmpty() ? "" : " (" + String.join(",", kinds) + " only)");
        return get(id);
    }

    public Backfill get(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement get = c.prepareStatement(GET)) {
            get.setString(1, id);
            try (ResultSet row = get.executeQuery()) {
                return row.next() ? Backfill.of(row) : null;
            }
        }
    }

    public List<Backfill> list(int limit) throws SQLException {
        List<Backfill> list = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(LIST)) {
            select.setInt(1, limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    list.add(Backfill.of(row));
                }
            }
        }
        return list;
    }

    /** The backfills as JSON (GET /observe/backfill, the /ops page). */
    public ArrayNode listJson(int limit) throws SQLException {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        OffsetDateTime now = clock.now();
        for (Backfill backfill : list(limit)) {
            array.add(backfill.toJson(now));
        }
        return array;
    }

    /** The parked items of a backfill (archive key, attempts, last error). */
    public ArrayNode parkedJson(String id, int limit) throws SQLException {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(PARKED_ITEMS)) {
            select.setString(1, id);
            select.setInt(2, limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    array.addObject().put("archiveKey", row.getString(1)).put("attempts", row.getInt(2))
                            .put("lastError", row.getString(3));
                }
            }
        }
        return array;
    }

    /**
     * pause, resume, cancel, or retry-parked (a finished backfill delivers its parked items again);
     * returns the backfill after it; Refused 409 when it is not in a state that allows the action.
     */
    public Backfill act(String id, String action) throws Refused, SQLException {
        if (get(id) == null) {
            throw new Refused(404, "no backfill " + id);
        }
        OffsetDateTime now = clock.now();
        int changed;
        try (Connection c = dataSource.getConnection()) {
            changed = switch (action) {
                case "pause" -> update(c, PAUSE, now, id);
                case "resume" -> update(c, RESUME, now, id);
                case "cancel" -> update(c, CANCEL, now, now, id);
                case "retry-parked" -> retryParked(c, id, now);
                default -> throw new Refused(400, "action is pause, resume, cancel or retry-parked");
            };
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                throw new Refused(409, "another backfill of its destination is running or paused");
            }
            throw e;
        }
        Backfill after = get(id);
        if (changed == 0) {
            throw new Refused(409, "backfill " + id + " is " + after.state() + ": cannot " + action
                    + (action.equals("retry-parked") ? " (only a done backfill with parked items)" : ""));
        }
        LOG.info("backfill {} ({}): {}", id, after.destination(), action);
        return after;
    }

    private static int retryParked(Connection connection, String id, OffsetDateTime now) throws SQLException {
        return Transactions.inTransaction(connection, c -> {
            if (update(c, REOPEN, now, id) == 0) {
                return 0;
            }
            int unparked = update(c, UNPARK, now, id);
            update(c, UNPARKED, unparked, id);
            return 1;
        });
    }

    private static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            return update.executeUpdate();
        }
    }

    private static String text(JsonNode request, String field) {
        JsonNode value = request == null ? null : request.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().trim();
    }

    private static LocalDate date(JsonNode request, String field) throws Refused {
        String value = text(request, field);
        try {
            return LocalDate.parse(value == null ? "" : value);
        } catch (DateTimeParseException e) {
            throw new Refused(400, field + " must be a date (yyyy-MM-dd): the EventTime day, as the archive is partitioned");
        }
    }
}
