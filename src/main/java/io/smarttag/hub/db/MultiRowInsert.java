package io.smarttag.hub.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Many rows of one table in few statements: {@code INSERT ... VALUES (?, ...), (?, ...), ...} of 64
 * rows each (sent as JDBC batches of 16), the rest in statements of 32, 16, ... 1 rows, so a handful of
 * statement texts serve every count and stay in the driver's statement cache. Why: a JDBC batch of
 * single-row INSERTs costs the database a parse-bind-execute per row; the 44 tag rows of a seed
 * event were most of PostgreSQL's CPU per event. This is what pgjdbc's reWriteBatchedInserts does,
 * done here because that option makes every batch answer SUCCESS_NO_INFO, and the job-row insert
 * needs its counts; it works on H2 as well.
 */
final class MultiRowInsert {

    static final int MAX_ROWS = 64;
    /** Statements per JDBC batch (64 rows each): 16, the parameters of 1,024 rows in the driver at once. */
    static final int BATCH_STATEMENTS = 16;

    private final String head;
    private final String group;
    private final Map<Integer, String> statements = new ConcurrentHashMap<>();

    /** singleRow: an INSERT whose text ends with one VALUES group of ? placeholders. */
    MultiRowInsert(String singleRow) {
        String sql = singleRow.strip();
        int values = sql.toUpperCase(java.util.Locale.ROOT).lastIndexOf("VALUES");
        if (values < 0 || !sql.endsWith(")")) {
            throw new IllegalArgumentException("not a single-row INSERT ... VALUES (...): " + sql);
        }
        this.head = sql.substring(0, values + "VALUES".length()) + " ";
        this.group = sql.substring(values + "VALUES".length()).strip();
    }

    String statement(int rows) {
        return statements.computeIfAbsent(rows, n -> {
            StringBuilder sql = new StringBuilder(head.length() + n * (group.length() + 2)).append(head);
            for (int i = 0; i < n; i++) {
                sql.append(i == 0 ? "" : ", ").append(group);
            }
            return sql.toString();
        });
    }

    /**
     * A writer for exactly {@code rows} rows, handed over one at a time ({@link Writer#add}): each is
     * bound into the current statement as it comes, so the caller never builds a list of row objects
     * (a 10,000-row event held 10,000 maps and their value lists at once: issue 21).
     */
    Writer writer(Connection connection, int rows) {
        return new Writer(connection, rows);
    }

    /**
     * Binds rows into statements of 64 rows while at least 64 are left, then of 32, 16, ... 1 (the same
     * few statement texts for every count). Statements of one size go to the database as a JDBC batch
     * of at most {@link #BATCH_STATEMENTS}, so the driver holds the parameters of at most 1,024 rows.
     */
    final class Writer implements AutoCloseable {

        private final Connection connection;
        private int left;
        private PreparedStatement statement;
        private int size;
        private int bound;
        private int parameter = 1;
        private int batched;

        private Writer(Connection connection, int rows) {
            this.connection = connection;
            this.left = rows;
        }

        /** The next row's column values in the statement's order (the array may be reused by the caller). */
        void add(Object[] row) throws SQLException {
            if (left == 0) {
                throw new IllegalStateException("more rows than announced");
            }
            if (statement == null) {
                size = sizeFor(left);
                statement = connection.prepareStatement(statement(size));
            }
            for (Object value : row) {
                statement.setObject(parameter++, value);
            }
            left--;
            if (++bound < size) {
                return;
            }
            bound = 0;
            parameter = 1;
            boolean sameSizeNext = left > 0 && sizeFor(left) == size;
            if (batched == 0 && !sameSizeNext) {
                statement.executeUpdate(); // a statement of its own: no batch round (a seed event's 32, 8 and 4)
            } else {
                statement.addBatch();
                if (++batched == BATCH_STATEMENTS || !sameSizeNext) {
                    statement.executeBatch();
                    batched = 0;
                }
            }
            if (!sameSizeNext) {
                statement.close();
                statement = null;
            }
        }

        /** Fails when fewer rows came than announced (nothing of a partial statement is sent). */
        @Override
        public void close() throws SQLException {
            if (statement != null) {
                statement.close();
                statement = null;
            }
            if (left != 0) {
                throw new IllegalStateException(left + " rows announced but not given");
            }
        }
    }

    private static int sizeFor(int left) {
        return left >= MAX_ROWS ? MAX_ROWS : Integer.highestOneBit(left);
    }
}
