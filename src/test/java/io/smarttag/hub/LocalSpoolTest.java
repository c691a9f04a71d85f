package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The database is unreachable when callbacks arrive: they are spooled to local files, answered
 * 200, and moved into the inbox and processed once the database is back.
 */
class LocalSpoolTest {

    @Test
    void callbacksDuringADatabaseOutageAreSpooledAndProcessedAfterwards() throws Exception {
        RunningHub.Builder builder = RunningHub.builder().onPostgres()
                .property("hub.db.connect-timeout-ms", "1000")
                .property("hub.spool.poll-ms", "200");
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        try (RunningHub hub = builder.start()) {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");

            int events = 20;
            List<String> answers = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(10);
            try {
                List<Future<HttpResponse<String>>> sent = new ArrayList<>();
                for (int i = 0; i < events; i++) {
                    byte[] event = Samples.with(Samples.seed(), "JobId", "spooled-" + i);
                    sent.add(pool.submit(() -> hub.post(event)));
                }
                for (Future<HttpResponse<String>> answer : sent) {
                    HttpResponse<String> response = answer.get();
                    assertEquals(200, response.statusCode(), response.body());
                    answers.add(response.body());
                }
            } finally {
                pool.shutdown();
            }
            assertTrue(answers.stream().allMatch(a -> a.contains("\"status\":\"spooled\"")), answers.toString());
            assertEquals(events, spooled(hub), "one fsynced file per event while the database is down");
            System.out.printf("database down: %d callbacks answered 200 and spooled%n", events);

            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            assertEquals(events, hub.awaitCount(events, Duration.ofSeconds(60),
                    "SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'spooled-%'"));
            hub.awaitInboxSettled(Duration.ofSeconds(30));
            assertEquals(events * 44L, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'spooled-%'"));
            assertEquals(events, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE source = 'spool'"));
            assertEquals(0, spooled(hub), "the spool is emptied once the events are in the inbox");
        }
    }

    @Test
    void hubStartsWhileTheDatabaseIsDownAndCatchesUpWhenItIsBack() throws Exception {
        RunningHub.Builder builder = RunningHub.builder().onPostgres()
                .property("hub.db.connect-timeout-ms", "1000")
                .property("hub.spool.poll-ms", "200");
        String database = builder.property("hub.db.url").replaceAll(".*/([^/?]+).*", "$1");
        admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
        try (RunningHub hub = builder.start()) {
            HttpResponse<String> response = hub.post(Samples.with(Samples.seed(), "JobId", "early-1"));
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("spooled"), response.body());
            assertEquals("{\"status\":\"DEGRADED\"}", hub.management("/observe/health").body(), "degraded without its database");
            assertEquals(200, hub.management("/observe/health/ready").statusCode(), "but ready: the spool takes callbacks");

            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(60), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'early-1'"));
            assertEquals(200, hub.management("/observe/health").statusCode());
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
    }

    private static long spooled(RunningHub hub) throws Exception {
        Path spool = hub.home().resolve("spool");
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).count();
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestServers.postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
