package io.smarttag.hub.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs statements on a pooled connection as one transaction: committed, or rolled back on any failure. */
public final class Transactions {

    /** Statements to run on the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Turns auto-commit off, runs the work and commits; on an exception (or Error) rolls back and
     * rethrows it, a failed rollback attached as suppressed. Auto-commit is restored either way, so
     * the connection goes back to the pool as it came.
     */
    public static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(autoCommit);
            } catch (SQLException ignored) {
                // the pool resets or discards the connection
            }
        }
    }
}
