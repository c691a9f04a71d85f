package io.smarttag.hub.tools;

import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.config.HubSettings;
import io.smarttag.hub.db.Databases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import io.smarttag.hub.db.SqlFiles;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.inbox.DeliveryRows;
import io.smarttag.hub.inbox.DeliveryState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Operator command: puts parked events back into the inbox so the running hub delivers them
 * again. Only the deliveries that parked are repeated (smarttag_delivery says which), or, with
 * --destination, that destination's delivery whatever its state; the database destination replaces a
 * job's rows, so a replay never duplicates rows.
 *
 * <pre>
 *   java -cp target/smarttag-hub.jar io.smarttag.hub.tools.Replay --all
 *   java -cp target/smarttag-hub.jar io.smarttag.hub.tools.Replay --job JOB_ID [--job JOB_ID ...]
 *   java -cp target/smarttag-hub.jar io.smarttag.hub.tools.Replay --job JOB_ID --destination indexer
 * </pre>
 * It reads the same application.properties and HUB_* environment variables as the hub.
 */
public final class Replay {

    private Replay() {
    }

    public static void main(String[] args) throws Exception {
        List<String> jobs = new ArrayList<>();
        boolean all = false;
        String destination = null;
        for (int i = 0; i < args.length; i++) {
            if ("--all".equals(args[i])) {
                all = true;
            } else if ("--destination".equals(args[i]) && i + 1 < args.length) {
                destination = args[++i];
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
            Destination target = null;
            if (destination != null) {
                Destinations destinations = Destinations.fromProperties(context);
                target = destinations.named(destination);
                if (target == null) {
                    System.err.println("--destination must be one of hub.destinations: " + destinations.names());
                    System.exit(2);
                }
            }
            try (HikariDataSource dataSource = Databases.open(new HubSettings(context))) {
                int replayed = replay(dataSource, all ? null : jobs, target);
                System.out.println("replayed " + replayed + (destination == null ? " parked event(s)" : " event(s) to " + destination));
            }
        }
    }

    public static int replay(javax.sql.DataSource dataSource, List<String> jobIds) throws Exception {
        return replay(dataSource, jobIds, null);
    }

    /**
     * Without a destination: parked events (all when jobIds is null) become pending again, their parked
     * deliveries with fresh attempts. With a destination: that destination delivers the events again,
     * of the given jobs whatever their state (a redelivery, or a backfill to a destination added
     * later), or, for all, every event it parked. Returns the number of events put back.
     *
     * <p>A destination added after an event was done is not owed that event (InboxEngine); a replay
     * naming it gives it a pending delivery row, so it is owed again: that is the backfill. Only for
     * events it takes (its when), so no delivery waits for ever on a destination that skips it.
     */
    public static int replay(javax.sql.DataSource dataSource, List<String> jobIds, Destination destination) throws Exception {
        OffsetDateTime now = new HubClock().now();
        try (Connection connection = dataSource.getConnection()) {
            Map<String, String> events = new LinkedHashMap<>(); // id -> kind (only known for a job's events)
            if (destination == null) {
                for (String job : jobIds == null ? java.util.Collections.<String>singletonList(null) : jobIds) {
                    ids(connection, SqlFiles.load("replay-select-parked"), job, job).forEach(id -> events.put(id, null));
                }
            } else if (jobIds == null) {
                ids(connection, SqlFiles.load("replay-select-parked-at"), destination.name()).forEach(id -> events.put(id, null));
            } else {
                for (String job : jobIds) {
                    try (PreparedStatement select = connection.prepareStatement(SqlFiles.load("replay-select-job"))) {
                        select.setString(1, job);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                events.put(rows.getString(1), rows.getString(2));
                            }
                        }
                    }
                }
            }
            for (Map.Entry<String, String> event : events.entrySet()) {
                String id = event.getKey();
                if (destination == null) {
                    update(connection, SqlFiles.load("replay-deliveries-parked"), now, id);
                } else if (update(connection, SqlFiles.load("replay-delivery"), now, id, destination.name()) == 0
                        && event.getValue() != null && destination.takes(event.getValue())) {
                    DeliveryRows.save(connection, id, Map.of(destination.name(),
                            new DeliveryState(DeliveryState.PENDING, 0, now, null, null, false)), java.util.Set.of());
                }
                update(connection, SqlFiles.load("replay-event"), now, id);
            }
            return events.size();
        }
    }

    private static List<String> ids(Connection connection, String sql, Object... args) throws Exception {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                select.setObject(i + 1, args[i]);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    private static int update(Connection connection, String sql, Object... args) throws Exception {
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                update.setObject(i + 1, args[i]);
            }
            return update.executeUpdate();
        }
    }

    private static void usage() {
        System.err.println("usage: Replay (--all | --job JOB_ID [--job JOB_ID ...]) [--destination NAME]");
        System.exit(2);
    }
}
