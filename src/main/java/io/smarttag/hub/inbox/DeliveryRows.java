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

    /**
     * Saves every outcome not yet saved: a batched UPDATE of the rows known to exist, a batched
     * INSERT of the rest (a destination's first outcome for the event); an INSERT that finds the row
     * there after all becomes an UPDATE.
     */
    public static void save(Connection connection, String inboxId, Map<String, DeliveryState> outcomes, Set<String> existing)
            throws SQLException {
        List<Map.Entry<String, DeliveryState>> updates = new ArrayList<>();
        List<Map.Entry<String, DeliveryState>> inserts = new ArrayList<>();
        for (var entry : outcomes.entrySet()) {
            if (!entry.getValue().saved()) {
                (existing.contains(entry.getKey()) ? updates : inserts).add(entry);
            }
        }
        if (!inserts.isEmpty()) {
            int[] inserted;
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (var entry : inserts) {
                    DeliveryState s = entry.getValue();
                    insert.setString(1, inboxId);
                    insert.setString(2, entry.getKey());
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
                for (var entry : updates) {
                    DeliveryState s = entry.getValue();
                    update.setString(1, s.state());
                    update.setInt(2, s.attempts());
                    update.setObject(3, s.nextAttemptAt());
                    update.setString(4, s.lastError());
                    update.setObject(5, s.doneAt());
                    update.setString(6, inboxId);
                    update.setString(7, entry.getKey());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
    }
}
