package io.smarttag.hub.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.testsupport.Samples;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The failed-job alert: its fields, and that event values cannot add mail headers. */
class AlertComposerTest {

    @Test
    void alertNamesTheJobAndWhereTheEventIsArchived() throws Exception {
        VodEvent fail = new ObjectMapper().readValue(Samples.fail(), VodEvent.class);
        Alert alert = new AlertComposer().compose(fail, "s3://bucket/key.json");
        assertEquals("[smarttag] job a1b2c3d4e5f6478899aabbccddeeff00 failed: InternalError", alert.subject());
        for (String part : new String[] {"sj83k40d92c641401fab46a0b842e9****", "InternalError", "2017-03-20T08:02:11Z",
                "could not be decoded", "s3://bucket/key.json"}) {
            assertTrue(alert.text().contains(part), part);
            assertTrue(alert.html().contains(part), part);
        }
    }

    @Test
    void eventValuesCannotAddHeadersOrMarkup() throws Exception {
        VodEvent evil = new VodEvent();
        evil.setJobId("j1\r\nBcc: thief@example.com");
        evil.setCode("X\nReply-To: a@b");
        evil.setMessage("<script>alert(1)</script>");
        Alert alert = new AlertComposer().compose(evil, "data/archive/k");
        assertFalse(alert.subject().contains("\n") || alert.subject().contains("\r"));
        assertFalse(alert.html().contains("<script>"));

        byte[] eml = new EmlWriter().toEml("hub@example.com", "ops@example.com, oncall@example.com", alert);
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(eml));
        assertNull(mail.getHeader("Bcc"));
        assertNull(mail.getHeader("Reply-To"));
        assertEquals(2, mail.getAllRecipients().length);
        assertEquals(alert.subject(), mail.getSubject());
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertEquals(2, parts.getCount());
        assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
        assertTrue(parts.getBodyPart(1).isMimeType("text/html"));
    }
}
