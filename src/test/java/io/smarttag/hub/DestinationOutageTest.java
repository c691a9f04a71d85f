package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** A destination that is down delays events, never drops them, and never delivers one twice. */
class DestinationOutageTest {

    private static RunningHub.Builder retryingQuickly() {
        return RunningHub.builder().onPostgres()
                .property("hub.retry.initial-delay-ms", "500")
                .property("hub.retry.max-delay-ms", "4000")
                .property("hub.retry.max-attempts", "100");
    }

    @Test
    void archiveObjectsArriveAfterA30SecondS3Outage() throws Exception {
        try (RunningHub hub = retryingQuickly().withS3().start()) {
            String bucket = hub.property("hub.archive.bucket");
            int events = 20;
            TestServers.stopS3();
            try {
                for (int i = 0; i < events; i++) {
                    assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "s3-outage-" + i)).statusCode());
                }
                hub.awaitCount(events * 44L, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag");
                Thread.sleep(30_000);
                System.out.printf("S3 down 30 s: %d events accepted, %d tag rows written meanwhile, %d archived%n", events,
                        hub.count("SELECT COUNT(*) FROM smarttag_tag"), hub.deliveries("archive", "done"));
                assertEquals(0, hub.deliveries("archive", "done"));
            } finally {
                TestServers.restartS3();
            }
            assertEquals(events, hub.awaitCount(events, Duration.ofSeconds(30), "SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'"));
            try (S3Client s3 = TestServers.s3Client()) {
                assertEquals(events, s3.listObjectsV2(b -> b.bucket(bucket)).contents().size());
                for (int i = 0; i < events; i++) {
                    byte[] sent = Samples.with(Samples.seed(), "JobId", "s3-outage-" + i);
                    String key = (String) hub.query("SELECT archive_key FROM smarttag_inbox WHERE job_id = ?", "s3-outage-" + i).get(0).get("archive_key");
                    assertArrayEquals(sent, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
                }
            }
            System.out.printf("S3 back: %d of %d archive objects arrived, byte-identical%n", events, events);
        }
    }

    @Test
    void alertsAreDeliveredOnceAfterAnSmtpOutage() throws Exception {
        int port = TestServers.freePort();
        int events = 5;
        try (RunningHub hub = retryingQuickly()
                .property("hub.alert.smtp.host", "127.0.0.1")
                .property("hub.alert.smtp.port", String.valueOf(port))
                // connection refused fails at once during the outage; once GreenMail is up, a cold server under
                // the test machine's load can take over 2 s to answer, and a mail the client gave up on (but
                // the server took) is sent again: at-least-once, not what this test is about
                .property("hub.alert.smtp.timeout-ms", "15000")
                .property("hub.alert.to", "ops@example.com")
                .start()) {
            for (int i = 0; i < events; i++) {
                assertEquals(200, hub.post(Samples.with(Samples.fail(), "JobId", "smtp-outage-" + i)).statusCode());
            }
            hub.awaitCount(events, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_job WHERE status = 'fail'");
            Thread.sleep(5000);
            assertEquals(0, hub.deliveries("alert", "done"));

            GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            try {
                hub.awaitCount(events, Duration.ofSeconds(30), "SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done'");
                Thread.sleep(3000);
                Map<String, Integer> perJob = new HashMap<>();
                for (MimeMessage mail : smtp.getReceivedMessages()) {
                    perJob.merge(mail.getSubject(), 1, Integer::sum);
                }
                System.out.printf("SMTP down, then up: %d failed jobs, %d mails received, per subject %s%n",
                        events, smtp.getReceivedMessages().length, perJob.values());
                assertEquals(events, perJob.size());
                perJob.forEach((subject, count) -> assertEquals(1, count, subject));
            } finally {
                smtp.stop();
            }
        }
    }
}
