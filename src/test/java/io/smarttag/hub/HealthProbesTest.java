package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.health.AcceptHealthCheck;
import io.smarttag.hub.health.DatabaseHealthCheck;
import io.smarttag.hub.health.SpoolHealthCheck;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

/**
 * Health for orchestrators: liveness is the process, readiness is "can accept a callback" (the
 * database or the spool), and a component that is down (a destination here; the database in
 * ManagementAccessTest, the MNS consumer in MnsHealthCheckTest) shows DEGRADED in the detail view
 * without taking the instance out of service, and UP again by itself.
 */
class HealthProbesTest {

    private static final String TOKEN = "health-probes-token";

    @Test
    void aTakenManagementPortFailsTheStartNamingTheProperty() throws Exception {
        // without the check, Camel's management server logged the bind error and the hub ran on
        // without health: an orchestrator restarted it forever without a reason in sight
        int port = TestServers.freePort();
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("0.0.0.0", port));
            Exception refused = assertThrows(Exception.class,
                    () -> RunningHub.builder().property("hub.management.port", String.valueOf(port)).start().close());
            StringBuilder reasons = new StringBuilder();
            for (Throwable e = refused; e != null; e = e.getCause()) {
                reasons.append(e.getMessage()).append(" / ");
            }
            assertTrue(reasons.toString().contains("hub.management.port = " + port + ": the port is in use"), reasons.toString());
        }
    }

    @Test
    void aFailingDestinationIsDegradedAndRecoversByItself() throws Exception {
        int smtpPort = TestServers.freePort(); // nothing listens yet: every alert attempt fails
        try (RunningHub hub = RunningHub.builder()
                .property("hub.management.token", TOKEN)
                .property("hub.alert.smtp.host", "127.0.0.1")
                .property("hub.alert.smtp.port", String.valueOf(smtpPort))
                .property("hub.alert.smtp.timeout-ms", "1000")
                .property("hub.retry.initial-delay-ms", "100")
                .property("hub.retry.multiplier", "1.0")
                .property("hub.retry.max-attempts", "100")
                .property("hub.sweep.interval-ms", "200")
                .start()) {
            assertEquals("{\"status\":\"UP\"}", hub.management("/observe/health").body());
            assertEquals(200, hub.post(Samples.fail()).statusCode());

            String detail = awaitBody(hub, "\"name\":\"destination-alert\",\"status\":\"DOWN\"");
            assertTrue(detail.startsWith("{\"status\":\"DEGRADED\""), detail);
            assertTrue(detail.contains("\"name\":\"destination-archive\",\"status\":\"UP\""), detail);
            assertEquals(200, hub.management("/observe/health").statusCode());
            assertEquals(200, hub.management("/observe/health/ready").statusCode(), "still in service");
            assertEquals(200, hub.management("/observe/health/live").statusCode());

            GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            try {
                awaitBody(hub, "\"name\":\"destination-alert\",\"status\":\"UP\"");
                hub.awaitInboxSettled(Duration.ofSeconds(30));
                assertEquals("{\"status\":\"UP\"}", hub.management("/observe/health").body());
                assertEquals(1, smtp.getReceivedMessages().length);
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void readinessNeedsTheDatabaseOrAWritableSpool() throws Exception {
        String url = TestServers.newPostgresDatabase();
        String database = url.replaceAll(".*/([^/?]+).*", "$1");
        Path home = Files.createTempDirectory("readiness");
        Path aFile = Files.writeString(home.resolve("not-a-folder"), "x");
        try (HikariDataSource dataSource = new HikariDataSource()) {
            dataSource.setJdbcUrl(url);
            dataSource.setUsername("postgres");
            dataSource.setPassword("postgres");
            dataSource.setConnectionTimeout(1000);
            dataSource.setInitializationFailTimeout(-1);
            DatabaseHealthCheck db = new DatabaseHealthCheck(dataSource);
            AcceptHealthCheck writable = new AcceptHealthCheck(db, new SpoolHealthCheck(home.resolve("spool")));
            AcceptHealthCheck unwritable = new AcceptHealthCheck(db, new SpoolHealthCheck(aFile.resolve("spool")));

            assertEquals(HealthCheck.State.UP, writable.call(Map.of()).getState());
            assertEquals(HealthCheck.State.UP, unwritable.call(Map.of()).getState(), "the database alone is enough");
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            dataSource.getHikariPoolMXBean().softEvictConnections();
            try {
                HealthCheck.Result spooling = writable.call(Map.of());
                assertEquals(HealthCheck.State.UP, spooling.getState(), "the spool alone is enough");
                assertTrue(spooling.getMessage().orElse("").startsWith("degraded"), spooling.getMessage().toString());
                assertEquals(HealthCheck.State.DOWN, unwritable.call(Map.of()).getState(), "neither: out of service");
            } finally {
                admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
            }
        }
    }

    private static String awaitBody(RunningHub hub, String part) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = hub.management("/observe/health", "Authorization", "Bearer " + TOKEN);
            body = response.body();
            if (body.contains(part)) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + part + " in " + body);
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestServers.postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
