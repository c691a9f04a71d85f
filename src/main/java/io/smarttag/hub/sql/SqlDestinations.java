package io.smarttag.hub.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The sql destinations: an event's rows in tables the user owns, in a database of their choosing,
 * through the user's own statements ({@code delete-statement}, {@code job-statement},
 * {@code tag-statement}, {@code asr-statement}). All statements of one event run in one transaction:
 * a failure rolls back that event's rows only and is a failed attempt (the hub retries and parks).
 *
 * <p>Plain JDBC rather than camel-jdbc: camel-jdbc commits each statement it runs on its own
 * connection, so an event's delete, job row and 44 tag rows could not be one transaction; it also
 * takes named parameters from message headers, where these come from the typed event.
 */
public class SqlDestinations extends ServiceSupport {

    /** One sql destination: its pool and its parsed statements (null: not used). */
    private record Target(HikariDataSource dataSource, NamedStatement delete, NamedStatement job, NamedStatement tag,
            NamedStatement asr) {
    }

    /** Rows per JDBC batch of a statement. */
    private static final int BATCH = 1024;

    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final EventRows eventRows = new EventRows();

    /** Checks and opens every sql destination; a mistake fails the start naming the property. */
    public SqlDestinations(Destinations destinations) {
        for (Destination destination : destinations.ofType("sql")) {
            targets.put(destination.name(), open(destination));
        }
    }

    private static Target open(Destination destination) {
        String own = "hub.destination." + destination.name() + ".";
        if (destination.option("url").isEmpty()) {
            throw new IllegalArgumentException("sql destination " + destination.name() + " has no JDBC URL: set " + own + "url");
        }
        NamedStatement delete = NamedStatement.parse(own + "delete-statement", destination.option("delete-statement"), SqlParameter.Scope.EVENT);
        NamedStatement job = NamedStatement.parse(own + "job-statement", destination.option("job-statement"), SqlParameter.Scope.EVENT);
        NamedStatement tag = NamedStatement.parse(own + "tag-statement", destination.option("tag-statement"), SqlParameter.Scope.TAG);
        NamedStatement asr = NamedStatement.parse(own + "asr-statement", destination.option("asr-statement"), SqlParameter.Scope.ASR);
        if (job == null && tag == null && asr == null) {
            throw new IllegalArgumentException("sql destination " + destination.name() + " has no statement: set " + own
                    + "job-statement, " + own + "tag-statement or " + own + "asr-statement");
        }
        int poolSize;
        try {
            poolSize = Integer.parseInt(destination.option("pool-size"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(own + "pool-size = '" + destination.option("pool-size") + "' is not a number");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("smarttag-sql-" + destination.name());
        config.setJdbcUrl(destination.option("url"));
        config.setUsername(destination.option("user"));
        config.setPassword(destination.option("password"));
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(Long.parseLong(destination.option("connect-timeout-ms")));
        config.setAutoCommit(false);
        // the database may be down at start: the first delivery then fails and is retried, the hub starts
        config.setInitializationFailTimeout(-1);
        return new Target(new HikariDataSource(config), delete, job, tag, asr);
    }

    /** Writes one event's rows in one transaction; returns the number of tag rows written. */
    public int write(@Variable("work") EventWork work, @Variable("destination") Destination destination) throws Exception {
        Target target = targets.get(destination.name());
        VodEvent event = work.getEvent();
        EventRows.Values rows = "success".equals(event.getStatus()) && event.isTagEvent()
                ? eventRows.values(event) : EventRows.Values.none();
        SqlParameter.Row eventRow = new SqlParameter.Row(work, event, Map.of(), Map.of());
        try (Connection connection = target.dataSource().getConnection()) {
            try {
                run(connection, target.delete(), 1, sink -> sink.add(new Object[0]), List.of(), named -> eventRow);
                run(connection, target.job(), 1, sink -> sink.add(new Object[0]), List.of(), named -> eventRow);
                run(connection, target.tag(), rows.tagCount(), rows::tags, EventRows.TAG_COLUMNS,
                        named -> new SqlParameter.Row(work, event, named, Map.of()));
                run(connection, target.asr(), rows.asrCount(), rows::asr, EventRows.ASR_COLUMNS,
                        named -> new SqlParameter.Row(work, event, Map.of(), named));
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return target.tag() == null ? 0 : rows.tagCount();
    }

    /** Hands rows, one at a time, to a sink (EventRows.Values#tags, #asr). */
    private interface Rows {
        void into(EventRows.RowSink sink) throws SQLException;
    }

    /**
     * One statement for each of count rows, bound as the rows come (named by names) and sent as JDBC
     * batches of at most {@link #BATCH} rows, so a large event's rows are never all held at once.
     */
    private static void run(Connection connection, NamedStatement statement, int count, Rows rows, List<String> names,
            Function<Map<String, Object>, SqlParameter.Row> row) throws SQLException {
        if (statement == null || count == 0) {
            return;
        }
        try (PreparedStatement prepared = connection.prepareStatement(statement.jdbcSql())) {
            int[] batched = {0};
            rows.into(values -> {
                Map<String, Object> named = new HashMap<>();
                for (int i = 0; i < values.length; i++) {
                    named.put(names.get(i), values[i]);
                }
                statement.bind(prepared, row.apply(named));
                if (count == 1) {
                    prepared.executeUpdate();
                    return;
                }
                prepared.addBatch();
                if (++batched[0] == BATCH) {
                    prepared.executeBatch();
                    batched[0] = 0;
                }
            });
            if (batched[0] > 0) {
                prepared.executeBatch();
            }
        } catch (SQLException e) {
            throw new SQLException(statement.property() + " failed: " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    @Override
    protected void doStop() {
        targets.values().forEach(t -> t.dataSource().close());
    }
}
