package io.smarttag.hub.tools;

import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.config.HubSettings;
import io.smarttag.hub.db.Databases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Operator command: puts parked events back into the inbox so the running hub delivers them
 * again. Only the destinations that are not done yet are repeated (the inbox flags say which),
 * and the database destination replaces a job's rows, so a replay never duplicates rows.
 *
 * <pre>
 *   java -cp target/smarttag-hub.jar io.smarttag.hub.tools.Replay --all
 *   java -cp target/smarttag-hub.jar io.smarttag.hub.tools.Replay --job JOB_ID [--job JOB_ID ...]
 * </pre>
 * It reads the same application.properties and HUB_* environment variables as the hub.
 */
public final class Replay {

    private Replay() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jobs = new ArrayList<>();
        boolean all = false;
        for (int i = 0; i < args.length; i++) {
            if ("--all".equals(args[i])) {
                all = true;
            } else if ("--job".equals(args[i]) && i + 1 < args.length) {
                jobs.add(args[++i]);
            } else {
                usage();
                return;
            }
        }
        if (all == !jobs.isEmpty()) {
            usage();
            return;
        }
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setLocation("file:application.properties");
            try (HikariDataSource dataSource = Databases.open(new HubSettings(context))) {
                int replayed = replay(dataSource, all ? null : jobs);
                System.out.println("replayed " + replayed + " parked event(s)");
            }
        }
    }

    /** Parked events (all when jobIds is null) become pending again with a fresh attempt count. */
    public static int replay(javax.sql.DataSource dataSource, List<String> jobIds) throws Exception {
        String sql = "UPDATE smarttag_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL"
                + " WHERE state = 'parked'" + (jobIds == null ? "" : " AND job_id = ?");
        int total = 0;
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(sql)) {
            for (String jobId : jobIds == null ? java.util.Collections.<String>singletonList(null) : jobIds) {
                update.setObject(1, new HubClock().now());
                if (jobId != null) {
                    update.setString(2, jobId);
                }
                total += update.executeUpdate();
            }
        }
        return total;
    }

    private static void usage() {
        System.err.println("usage: Replay --all | --job JOB_ID [--job JOB_ID ...]");
        System.exit(2);
    }
}
