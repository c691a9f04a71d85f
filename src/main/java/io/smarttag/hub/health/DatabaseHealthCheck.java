package io.smarttag.hub.health;

import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The database, for the detail view: while it is down callbacks go to the spool, so it alone does
 * not take the hub out of service (see {@link AcceptHealthCheck}).
 */
public class DatabaseHealthCheck extends ComponentHealthCheck {

    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("database");
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(2)) {
                builder.up();
            } else {
                builder.message("database connection is not valid").down();
            }
        } catch (Exception e) {
            builder.message("database unreachable: " + e.getClass().getSimpleName()).down();
        }
    }
}
