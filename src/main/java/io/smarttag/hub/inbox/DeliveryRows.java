package io.smarttag.hub.inbox;

import io.smarttag.hub.db.SqlFiles;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Writes delivery outcomes to smarttag_delivery on a given connection (the caller's transaction). */
public final class DeliveryRows {

    private static final String UPDATE = SqlFiles.load("delivery-update");
    private static final String INSERT = SqlFiles.load("delivery-insert");

    private DeliveryRows() {
    }

    /** One event's outcomes this attempt; existing: the destinations that have a delivery row already. */
    public record Outcomes(String inboxId, Map<String, DeliveryState> outcomes, Set<String> existing) {
    }

    private record Row(String inboxId, String destination, DeliveryState state) {
    }

    /** One event's outcomes, as {@link #saveAll}. */
    public static void save(Connection connection, String inboxId, Map<String, DeliveryState> outcomes, Set<String> existing)
            throws SQLException {
        saveAll(connection, List.of(new Outcomes(inboxId, outcomes, existing)));
    }

    /**
     * Saves every outcome not yet saved, of all these events: a batched UPDATE of the rows known to
     * exist, a batched INSERT of the rest (a destination's first outcome for the event); an INSERT
     * that finds the row there after all becomes an UPDATE. One batch of each for all the events (a
     * round trip each), not one per event: a group commit writes up to hub.process.finish-batch-max.
     */
    public static void saveAll(Connection connection, List<Outcomes> events) throws SQLException {
        List<Row> updates = new ArrayList<>();
        List<Row> inserts = new ArrayList<>();
        for (Outcomes event : events) {
            for (var entry : event.outcomes().entrySet()) {
                if (!entry.getValue().saved()) {
                    Row row = new Row(event.inboxId(), entry.getKey(), entry.getValue());
                    (event.existing().contains(entry.getKey()) ? updates : inserts).add(row);
                }
            }
        }
        if (!inserts.isEmpty()) {
            int[] inserted;
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (Row row : inserts) {
                    DeliveryState s = row.state();
                    insert.setString(1, row.inboxId());
                    insert.setString(2, row.destination());
                    insert.setString(3, s.state());
                    insert.setInt(4, s.attempts());
                    insert.setObject(5, s.nextAttemptAt());
                    insert.setString(6, s.lastError());
                    insert.setObject(7, s.doneAt());
                    insert.addBatch();
                }
                inserted = insert.executeBatch();
            }
            for (int i = 0; i < inserted.length; i++) {
                if (inserted[i] == 0) {
                    updates.add(inserts.get(i));
                }
            }
        }
        if (!updates.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
                for (Row row : updates) {
                    DeliveryState s = row.state();
                    update.setString(1, s.state());
                    update.setInt(2, s.attempts());
                    update.setObject(3, s.nextAttemptAt());
                    update.setString(4, s.lastError());
                    update.setObject(5, s.doneAt());
                    update.setString(6, row.inboxId());
                    update.setString(7, row.destination());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
    }
}
