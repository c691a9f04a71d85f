package io.smarttag.hub.testsupport;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/** The .eml files an alert destination writes to its outbox folder (no SMTP host set), read as mails. */
public final class Outbox {

    private static final Session SESSION = Session.getInstance(new Properties());

    private Outbox() {
    }

    /** The finished .eml files in the folder (not the .tmp- ones being written), by name. */
    public static List<Path> files(Path dir) throws Exception {
        return LiveFiles.under(dir, p -> p.getFileName().toString().endsWith(".eml")
                        && !p.getFileName().toString().startsWith(".tmp-")).stream()
                .sorted(Comparator.comparing(Path::toString)).toList();
    }

    /** Every mail in the folder, parsed. */
    public static List<MimeMessage> mails(Path dir) throws Exception {
        List<MimeMessage> mails = new ArrayList<>();
        for (Path file : files(dir)) {
            try (InputStream in = Files.newInputStream(file)) {
                MimeMessage mail = new MimeMessage(SESSION, in);
                mail.getContent(); // parsed now, while the file is open
                mails.add(mail);
            }
        }
        return mails;
    }

    /** The mails once there are at least n (or what is there when the time is up). */
    public static List<MimeMessage> await(Path dir, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<MimeMessage> mails = mails(dir);
        while (mails.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            mails = mails(dir);
        }
        return mails;
    }

    /** The text/plain part of an alert mail (multipart/alternative: text, html). */
    public static String text(MimeMessage mail) throws Exception {
        Object content = mail.getContent();
        if (content instanceof String text) {
            return text;
        }
        jakarta.mail.Multipart parts = (jakarta.mail.Multipart) content;
        for (int i = 0; i < parts.getCount(); i++) {
            if (parts.getBodyPart(i).isMimeType("text/plain")) {
                return String.valueOf(parts.getBodyPart(i).getContent());
            }
        }
        throw new AssertionError("no text/plain part in " + mail.getSubject());
    }
}
