package io.smarttag.hub.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rows inserted many per statement: every row once, with its values in its columns, nulls included,
 * whatever the count (the chunks of 64, 32, ... 1). On PostgreSQL the same path is exercised by every
 * database destination test that runs on it (CorePipelineTest, DatabaseGroupCommitTest, ...).
 */
class MultiRowInsertTest {

    private final MultiRowInsert insert = new MultiRowInsert("INSERT INTO t (id, name, at) VALUES (?, ?, ?)");

    @Test
    void statementsRepeatTheValuesGroup() {
        assertEquals("INSERT INTO t (id, name, at) VALUES (?, ?, ?)", insert.statement(1));
        assertEquals("INSERT INTO t (id, name, at) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)", insert.statement(3));
    }

    @Test
    void everyRowIsInsertedOnceWhateverTheCount() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:multirow;MODE=PostgreSQL")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), at BIGINT)");
            }
            int next = 0;
            for (int count : new int[] {0, 1, 2, 44, 63, 64, 65, 128, 200, 704, 1024, 1025, 3001}) {
                List<List<Object>> rows = new ArrayList<>();
                for (int i = 0; i < count; i++, next++) {
                    rows.add(Arrays.asList(next, next % 3 == 0 ? null : "n" + next, next % 5 == 0 ? null : (long) next * 10));
                }
                try (MultiRowInsert.Writer writer = insert.writer(c, rows.size())) {
                    for (List<Object> row : rows) {
                        writer.add(row.toArray());
                    }
                }
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id, name, at FROM t ORDER BY id")) {
                int expected = 0;
                while (r.next()) {
                    assertEquals(expected, r.getInt(1));
                    assertEquals(expected % 3 == 0 ? null : "n" + expected, r.getString(2));
                    assertEquals(expected % 5 == 0 ? null : (Long) ((long) expected * 10), (Long) r.getObject(3, Long.class));
                    expected++;
                }
                assertEquals(next, expected, "every row once");
            }
        }
    }

    /** The writer takes exactly the rows it was made for: a caller that miscounts gets an error, never a partial insert. */
    @Test
    void aWriterRefusesMoreOrFewerRowsThanAnnounced() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:multirow2;MODE=PostgreSQL")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), at BIGINT)");
            }
            MultiRowInsert.Writer two = insert.writer(c, 2);
            two.add(new Object[] {1, "a", 1L});
            assertThrows(IllegalStateException.class, two::close, "one row missing");
            try (MultiRowInsert.Writer one = insert.writer(c, 1)) {
                one.add(new Object[] {2, "b", 2L});
                assertThrows(IllegalStateException.class, () -> one.add(new Object[] {3, "c", 3L}));
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id FROM t ORDER BY id")) {
                assertTrue(r.next());
                assertEquals(2, r.getInt(1), "only the complete statement was sent");
                assertFalse(r.next());
            }
        }
    }
}
