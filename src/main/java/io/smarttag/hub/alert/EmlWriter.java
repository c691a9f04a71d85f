package io.smarttag.hub.alert;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Date;
import java.util.Properties;

/** Renders an alert as an RFC 822 message (.eml) for the outbox used when no SMTP host is set. */
public class EmlWriter {

    private final Session session = Session.getInstance(new Properties());

    /** The alert as an .eml file for an alert destination's from and to options. */
    public byte[] toEml(io.smarttag.hub.destination.Destination destination, Alert alert) throws MessagingException, IOException {
        return toEml(destination.option("from"), destination.option("to"), alert);
    }

    public byte[] toEml(String from, String to, Alert alert) throws MessagingException, IOException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
        message.setSubject(AlertComposer.headerSafe(alert.subject()), "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart text = new MimeBodyPart();
        text.setText(alert.text(), "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent(alert.html(), "text/html; charset=UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
