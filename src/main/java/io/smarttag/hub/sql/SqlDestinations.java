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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        EventRows.Rows rows = "success".equals(event.getStatus()) && event.isTagEvent()
                ? eventRows.rows(event) : new EventRows.Rows(List.of(), List.of());
        SqlParameter.Row eventRow = new SqlParameter.Row(work, event, Map.of(), Map.of());
        try (Connection connection = target.dataSource().getConnection()) {
            try {
                run(connection, target.delete(), List.of(eventRow));
                run(connection, target.job(), List.of(eventRow));
                run(connection, target.tag(), rows.tags().stream().map(t -> new SqlParameter.Row(work, event, t, Map.of())).toList());
                run(connection, target.asr(), rows.asr().stream().map(a -> new SqlParameter.Row(work, event, Map.of(), a)).toList());
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return target.tag() == null ? 0 : rows.tagCount();
    }

    /** One statement for each row, as one JDBC batch. */
    private static void run(Connection connection, NamedStatement statement, List<SqlParameter.Row> rows) throws SQLException {
        if (statement == null || rows.isEmpty()) {
            return;
        }
        try (PreparedStatement prepared = connection.prepareStatement(statement.jdbcSql())) {
            if (rows.size() == 1) {
                statement.bind(prepared, rows.get(0));
                prepared.executeUpdate();
                return;
            }
            for (SqlParameter.Row row : rows) {
                statement.bind(prepared, row);
                prepared.addBatch();
            }
            prepared.executeBatch();
        } catch (SQLException e) {
            throw new SQLException(statement.property() + " failed: " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    @Override
    protected void doStop() {
        targets.values().forEach(t -> t.dataSource().close());
    }
}
