package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hub on its embedded defaults, as the README's first command runs it: H2 file database,
 * archive files and .eml alerts in local folders.
 */
class EmbeddedDefaultsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunningHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.builder().property("hub.management.token", "embedded-defaults-token").start();
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    @Test
    void seedSampleBecomes44RowsAndAnArchiveFile() throws Exception {
        byte[] seed = Samples.seed();
        long start = System.nanoTime();
        assertEquals(200, hub.post(seed).statusCode());
        assertEquals(44, hub.awaitCount(44, WAIT, "SELECT COUNT(*) FROM smarttag_tag"));
        System.out.printf("embedded defaults: seed sample -> 44 rows in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        hub.awaitInboxSettled(WAIT);
        Path archived = hub.home().resolve("archive/vod-events/2017/03/20/sj83k40d92c641401fab46a0b842e9****/jd83k4184c0e47098a5b665e2aj3****-success.json");
        assertTrue(Files.exists(archived), "archive file " + archived);
        assertArrayEquals(seed, Files.readAllBytes(archived));
    }

    @Test
    void failedJobAlertIsAnEmlFileInTheOutbox() throws Exception {
        byte[] fail = Samples.fail();
        assertEquals(200, hub.post(fail).statusCode());
        String jobId = Samples.field(fail, "JobId");
        hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = 'done'", jobId);
        List<Path> eml;
        try (Stream<Path> files = Files.list(hub.home().resolve("outbox"))) {
            eml = files.filter(p -> p.toString().endsWith(".eml")).toList();
        }
        assertEquals(1, eml.size(), eml.toString());
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(Files.readAllBytes(eml.get(0))));
        assertEquals("[smarttag] job " + jobId + " failed: InternalError", mail.getSubject());
        assertEquals("ops@localhost", mail.getAllRecipients()[0].toString());
        assertEquals("fail", hub.query("SELECT status FROM smarttag_job WHERE job_id = ?", jobId).get(0).get("status"));
    }

    @Test
    void callbackWithoutAJsonContentTypeIsReadAsJson() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "form-encoded-1");
        var response = hub.post(event, "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(44, hub.awaitCount(44, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'form-encoded-1'"));
        assertEquals(200, hub.post(Samples.with(event, "JobId", "text-plain-1"), "Content-Type", "text/plain").statusCode());
    }

    @Test
    void healthIsServedOnTheManagementPortAndIncludesTheDatabase() throws Exception {
        // the detail needs the management token (ManagementAccessTest)
        var response = hub.management("/observe/health", "Authorization", "Bearer embedded-defaults-token");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("UP"), response.body());
        assertTrue(response.body().contains("database"), response.body());
    }
}
