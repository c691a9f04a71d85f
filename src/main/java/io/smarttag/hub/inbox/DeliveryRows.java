package io.smarttag.hub.inbox;

import io.smarttag.hub.db.SqlFiles;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/** Writes delivery outcomes to smarttag_delivery on a given connection (the caller's transaction). */
public final class DeliveryRows {

    private static final String UPDATE = SqlFiles.load("delivery-update");
    private static final String INSERT = SqlFiles.load("delivery-insert");

    private DeliveryRows() {
    }

    /** Saves every outcome not yet saved: one batched UPDATE, then an INSERT for those without a row. */
    public static void save(Connection connection, String inboxId, Map<String, DeliveryState> outcomes) throws SQLException {
        var unsaved = outcomes.entrySet().stream().filter(e -> !e.getValue().saved()).toList();
        if (unsaved.isEmpty()) {
            return;
        }
        int[] updated;
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            for (var entry : unsaved) {
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
            updated = update.executeBatch();
        }
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                insertOrUpdate(connection, inboxId, unsaved.get(i).getKey(), unsaved.get(i).getValue());
            }
        }
    }

    /** One outcome, whether or not its row exists yet. */
    public static void save(Connection connection, String inboxId, String destination, DeliveryState s) throws SQLException {
        save(connection, inboxId, Map.of(destination, s));
    }

    private static void insertOrUpdate(Connection connection, String inboxId, String destination, DeliveryState s) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, inboxId);
            insert.setString(2, destination);
            insert.setString(3, s.state());
            insert.setInt(4, s.attempts());
            insert.setObject(5, s.nextAttemptAt());
            insert.setString(6, s.lastError());
            insert.setObject(7, s.doneAt());
            if (insert.executeUpdate() == 1) {
                return;
            }
        }
        // inserted meanwhile by another writer: the update finds it now
        save(connection, inboxId, Map.of(destination, s));
    }

    /** A timestamp as either driver returns it (H2: OffsetDateTime, PostgreSQL: Timestamp), in UTC. */
    static OffsetDateTime time(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC);
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant().atOffset(ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(value.toString());
    }
}
