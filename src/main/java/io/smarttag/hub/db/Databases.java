package io.smarttag.hub.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.config.HubSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the pooled DataSource from hub.db.* and brings the schema up to date with Flyway. */
public final class Databases {

    private static final Logger LOG = LoggerFactory.getLogger(Databases.class);

    private Databases() {
    }

    public static HikariDataSource open(HubSettings settings) throws Exception {
        String url = durableH2(settings.text("hub.db.url"));
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

    /**
     * Migrates now if the database answers; otherwise keeps trying in the background, so the hub
     * starts anyway and spools callbacks until the database is there (VOD would drop them).
     */
    public static void migrateWhenReachable(javax.sql.DataSource dataSource, long retryMillis) {
        try {
            migrate(dataSource);
            return;
        } catch (RuntimeException e) {
            LOG.error("database not reachable at start ({}); callbacks are spooled, migrating when it is back",
                    e.getClass().getSimpleName());
        }
        Thread retry = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(retryMillis);
                    migrate(dataSource);
                    LOG.info("database reachable again, schema migrated");
                    return;
                } catch (InterruptedException stop) {
                    return;
                } catch (RuntimeException stillDown) {
                    LOG.warn("database still not reachable: {}", stillDown.getClass().getSimpleName());
                }
            }
        }, "smarttag-migrate");
        retry.setDaemon(true);
        retry.start();
    }

    /**
     * H2 writes a commit to its file up to WRITE_DELAY (default 500 ms) after it returned, so a
     * process killed in that time lost events that had got their 200 (59 and 124 of 500 in two
     * runs). WRITE_DELAY=0 writes every commit before the commit returns; an H2 file URL that does
     * not set WRITE_DELAY gets it. It does not fsync: H2 survives a crash of the process, not of
     * the machine (power loss); PostgreSQL is the production store.
     */
    static String durableH2(String url) {
        if (!url.startsWith("jdbc:h2:file:")) {
            return url;
        }
        // H2's own shutdown hook would close the database while Camel still finishes work in
        // flight on SIGTERM; the pool closes it when the hub has stopped.
        if (!url.toUpperCase(java.util.Locale.ROOT).contains(";DB_CLOSE_ON_EXIT=")) {
            url = url + ";DB_CLOSE_ON_EXIT=FALSE";
        }
        if (!url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url + ";WRITE_DELAY=0";
        }
        if (url.startsWith("jdbc:h2:file:") && !url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=0")) {
            LOG.warn("hub.db.url sets an H2 WRITE_DELAY: events answered 200 shortly before a crash can be lost");
        }
        return url;
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
