package io.smarttag.hub.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Many rows of one table in few statements: {@code INSERT ... VALUES (?, ...), (?, ...), ...} of 64
 * rows each (sent as one JDBC batch), the rest in statements of 32, 16, ... 1 rows, so a handful of
 * statement texts serve every count and stay in the driver's statement cache. Why: a JDBC batch of
 * single-row INSERTs costs the database a parse-bind-execute per row; the 44 tag rows of a seed
 * event were most of PostgreSQL's CPU per event. This is what pgjdbc's reWriteBatchedInserts does,
 * done here because that option makes every batch answer SUCCESS_NO_INFO, and the job-row insert
 * needs its counts; it works on H2 as well.
 */
final class MultiRowInsert {

    static final int MAX_ROWS = 64;

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

    /** Inserts the rows (each a list of column values in the statement's order); none: nothing sent. */
    void insert(Connection connection, List<List<Object>> rows) throws SQLException {
        int done = 0;
        for (int size = MAX_ROWS; size >= 1 && done < rows.size(); size /= 2) {
            int statements = (rows.size() - done) / size;
            if (statements == 0) {
                continue;
            }
            try (PreparedStatement insert = connection.prepareStatement(statement(size))) {
                for (int s = 0; s < statements; s++) {
                    int parameter = 1;
                    for (List<Object> row : rows.subList(done, done + size)) {
                        for (Object value : row) {
                            insert.setObject(parameter++, value);
                        }
                    }
                    done += size;
                    if (statements > 1) {
                        insert.addBatch();
                    }
                }
                if (statements > 1) {
                    insert.executeBatch();
                } else {
                    insert.executeUpdate();
                }
            }
        }
    }
}
