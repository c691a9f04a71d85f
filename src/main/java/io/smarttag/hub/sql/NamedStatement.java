package io.smarttag.hub.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement of a sql destination with named parameters ({@code :?jobId}, the syntax of camel-jdbc),
 * turned into JDBC's {@code ?} and the list of parameters to bind in order. A name the statement's
 * scope does not have fails the start, naming the property.
 */
public record NamedStatement(String property, String jdbcSql, List<SqlParameter> parameters) {

    private static final Pattern NAMED = Pattern.compile(":\\?([A-Za-z_][A-Za-z0-9_]*)");

    /** property: the option it came from (for messages); null when sql is blank (the statement is not used). */
    public static NamedStatement parse(String property, String sql, SqlParameter.Scope scope) {
        if (sql == null || sql.isBlank()) {
            return null;
        }
        List<SqlParameter> parameters = new ArrayList<>();
        Matcher named = NAMED.matcher(sql);
        StringBuilder jdbc = new StringBuilder();
        while (named.find()) {
            SqlParameter parameter = SqlParameter.named(named.group(1), scope);
            if (parameter == null) {
                throw new IllegalArgumentException(property + ": unknown parameter :?" + named.group(1)
                        + " (this statement can use " + String.join(", ", SqlParameter.namesFor(scope)) + ")");
            }
            parameters.add(parameter);
            named.appendReplacement(jdbc, "?");
        }
        named.appendTail(jdbc);
        return new NamedStatement(property, jdbc.toString().trim(), List.copyOf(parameters));
    }

    /** Binds every parameter from the row, typed; a value the event does not have is SQL NULL. */
    public void bind(PreparedStatement statement, SqlParameter.Row row) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            SqlParameter parameter = parameters.get(i);
            Object value = parameter.valueIn(row);
            if (value == null) {
                statement.setNull(i + 1, parameter.sqlType());
            } else {
                statement.setObject(i + 1, value, parameter.sqlType());
            }
        }
    }
}
