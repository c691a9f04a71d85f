package io.smarttag.hub.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.config.HubSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;

/** Builds the pooled DataSource from hub.db.* and brings the schema up to date with Flyway. */
public final class Databases {

    private Databases() {
    }

    public static HikariDataSource open(HubSettings settings) throws Exception {
        String url = settings.text("hub.db.url");
        createH2Folder(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("smarttag-db");
        config.setJdbcUrl(url);
        config.setUsername(settings.text("hub.db.user"));
        config.setPassword(settings.text("hub.db.password"));
        config.setMaximumPoolSize(settings.integer("hub.db.pool-size"));
        config.setConnectionTimeout(settings.number("hub.db.connect-timeout-ms"));
        // Start even when the database is down: the hub then spools or answers 503 instead of dying.
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    public static void migrate(javax.sql.DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** H2 creates the file but not the folder it sits in. */
    private static void createH2Folder(String url) throws Exception {
        String prefix = "jdbc:h2:file:";
        if (url.startsWith(prefix)) {
            String file = url.substring(prefix.length()).split(";", 2)[0];
            Path parent = Path.of(file).toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        }
    }
}
