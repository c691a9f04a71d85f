package io.smarttag.hub.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/** Statements kept as files under src/main/resources/sql, so SQL reads as SQL and not as Java strings. */
public final class SqlFiles {

    private SqlFiles() {
    }

    /** The statement in sql/&lt;name&gt;.sql, without its comment lines. */
    public static String load(String name) {
        String path = "/sql/" + name + ".sql";
        try (InputStream in = SqlFiles.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.trim().startsWith("--"))
                    .collect(Collectors.joining("\n")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
