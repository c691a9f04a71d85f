package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.Outbox;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 20 failed jobs in one window become 3 single alerts and one digest, not 20 mails. */
class AlertStormTest {

    @Test
    void failuresBeyondTheWindowLimitAreFoldedIntoOneDigest() throws Exception {
        try (RunningHub hub = RunningHub.builder()
                .property("hub.alert.storm.max-single", "3")
                .property("hub.alert.storm.window-ms", "4000")
                .start()) {
            for (int i = 0; i < 20; i++) {
                String code = i % 2 == 0 ? "InternalError" : "DecodeError";
                assertEquals(200, hub.post(Samples.with(Samples.fail(), "JobId", "storm-" + i, "Code", code)).statusCode());
            }
            hub.awaitInboxSettled(Duration.ofSeconds(20));
            assertEquals(17, hub.count("SELECT COUNT(*) FROM smarttag_alert WHERE mode = 'digest'"));

            List<MimeMessage> mails = awaitMails(hub, 4, Duration.ofSeconds(15));
            List<MimeMessage> singles = new ArrayList<>();
            MimeMessage digest = null;
            for (MimeMessage mail : mails) {
                if (mail.getSubject().contains("more jobs failed")) {
                    digest = mail;
                } else {
                    singles.add(mail);
                }
            }
            System.out.printf("alert storm: 20 failed jobs -> %d single mails + %d digest%n", singles.size(), digest == null ? 0 : 1);
            assertEquals(3, singles.size());
            assertTrue(digest != null, "a digest mail");
            assertEquals("[smarttag] 17 more jobs failed in the last 4 s", digest.getSubject());
            String text = String.valueOf(((MimeMultipart) digest.getContent()).getBodyPart(0).getContent());
            int listed = 0;
            for (int i = 0; i < 20; i++) {
                if (text.contains("storm-" + i + "\n")) {
                    listed++;
                }
            }
            assertEquals(17, listed, text);
            assertTrue(text.contains("InternalError:") && text.contains("DecodeError:"), text);
            Thread.sleep(5000);
            assertEquals(4, mails(hub).size(), "the digest is sent once");
        }
    }

    private static List<MimeMessage> awaitMails(RunningHub hub, int expected, Duration timeout) throws Exception {
        return Outbox.await(hub.home().resolve("outbox"), expected, timeout);
    }

    private static List<MimeMessage> mails(RunningHub hub) throws Exception {
        return Outbox.mails(hub.home().resolve("outbox"));
    }
}
