package io.smarttag.hub.archive;

import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.VodEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Archive keys: {@code <prefix>/<yyyy>/<MM>/<dd>/<MediaId>/<JobId>-<Status>.json}, dated by
 * EventTime (UTC); an event of another type than AIVideoTagComplete gets {@code +<EventType>}
 * before {@code .json}, so it never shares a key with the tag event of the same job.
 *
 * <p>Ids come from the sender, so each is percent-encoded into one safe segment: letters, digits,
 * '-', '_', '*' and '.' stay as they are (all safe in S3 keys) (a typical VOD id reads unchanged), every other UTF-8 byte
 * becomes {@code %XX}, and so does a '.' that starts a segment or follows another '.' (no "..",
 * no hidden files). The encoding is reversible, so two different ids never share a key: the
 * earlier version mapped {@code a/x}, {@code a_x} and {@code a:x} to one key and the last event
 * overwrote the others. A segment that would be longer than {@value #MAX_SEGMENT} characters keeps
 * its first characters and ends in {@code ~} and 32 hex digits of the SHA-256 of the raw id; '~'
 * never appears in an encoded id, so a shortened segment cannot equal an encoded one.
 */
public class ArchiveKeys {

    private static final DateTimeFormatter DATE_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    static final int MAX_SEGMENT = 128;
    private static final int HASH_HEX = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final String prefix;
    private final String rawPrefix;
    private final java.util.Map<String, ArchiveKeys> byPrefix = new java.util.concurrent.ConcurrentHashMap<>();

    public ArchiveKeys(String prefix) {
        this.rawPrefix = prefix == null ? "" : prefix.trim();
        List<String> segments = new ArrayList<>();
        if (prefix != null) {
            for (String part : prefix.split("/")) {
                if (!part.isBlank()) {
                    segments.add(segment(part));
                }
            }
        }
        this.prefix = String.join("/", segments);
    }

    /** The key of an event at an archive destination with its own prefix option (default hub.archive.prefix). */
    public String keyFor(io.smarttag.hub.inbox.EventWork work, io.smarttag.hub.destination.Destination destination) {
        String own = destination.option("prefix");
        if (own.equals(rawPrefix) && work.getArchiveKey() != null) {
            return work.getArchiveKey(); // the default archive's key, computed once when the event was parsed
        }
        ArchiveKeys keys = own.equals(rawPrefix) ? this : byPrefix.computeIfAbsent(own, ArchiveKeys::new);
        return keys.keyFor(work.getEvent());
    }

    /**
     * The archive route's first step: the event's key at this destination as CamelFileName, and the
     * destination's bucket as the variable bucket (empty: a file archive). A bean step, because a
     * simple expression that calls a bean copies the whole exchange on every call.
     */
    public void address(@org.apache.camel.Variable("work") io.smarttag.hub.inbox.EventWork work,
            @org.apache.camel.Variable("destination") io.smarttag.hub.destination.Destination destination,
            org.apache.camel.Exchange exchange) {
        exchange.getMessage().setHeader(org.apache.camel.Exchange.FILE_NAME, keyFor(work, destination));
        exchange.setVariable("bucket", destination.option("bucket"));
        exchange.setVariable("archiveClient", S3Clients.beanName(destination));
        exchange.setVariable("archiveDir", destination.option("dir"));
    }

    public String keyFor(VodEvent event) {
        return key(event.getEventTime(), event.getMediaId(), event.getJobId(), event.getStatus(),
                event.isTagEvent() ? null : event.getEventType());
    }

    /** The key of an AIVideoTagComplete event. */
    public String key(String eventTime, String mediaId, String jobId, String status) {
        return key(eventTime, mediaId, jobId, status, null);
    }

    /** otherEventType: null for AIVideoTagComplete, else the EventType, which becomes part of the name. */
    public String key(String eventTime, String mediaId, String jobId, String status, String otherEventType) {
        // Status is 'success' or 'fail' (checked at accept) and holds no '-', so "<JobId>-<Status>"
        // is read from the right unambiguously; '+' is always encoded inside an id.
        String name = segment(jobId) + "-" + segment(status)
                + (otherEventType == null ? "" : "+" + segment(otherEventType)) + ".json";
        String key = datePath(eventTime) + "/" + segment(mediaId) + "/" + name;
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /**
     * The key prefix of one day's events ({@code <prefix>/<yyyy>/<MM>/<dd>/}): what a backfill lists.
     * Keys sort by day, so a key is also a cursor across days.
     */
    public String dayPrefix(java.time.LocalDate day) {
        String date = day.format(DATE_PATH) + "/";
        return prefix.isEmpty() ? date : prefix + "/" + date;
    }

    private static String datePath(String eventTime) {
        OffsetDateTime time = EventTimes.parseUtc(eventTime);
        return time == null ? "unknown-date" : time.format(DATE_PATH);
    }

    /**
     * One safe key/path segment: [A-Za-z0-9._*-] and %XX escapes, never starting with a dot, never
     * holding "..", at most {@value #MAX_SEGMENT} characters. No id at all is "~none", an empty one
     * "~empty" (neither can be the encoding of an id).
     */
    public static String segment(String raw) {
        if (raw == null) {
            return "~none";
        }
        if (raw.isEmpty()) {
            return "~empty";
        }
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean dotAllowed = b == '.' && i > 0 && bytes[i - 1] != '.';
            boolean safe = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '_' || b == '-' || b == '*' || dotAllowed;
            if (safe) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        if (out.length() <= MAX_SEGMENT) {
            return out.toString();
        }
        int keep = MAX_SEGMENT - 1 - HASH_HEX;
        // never cut an escape in half
        if (out.charAt(keep - 1) == '%') {
            keep -= 1;
        } else if (out.charAt(keep - 2) == '%') {
            keep -= 2;
        }
        return out.substring(0, keep) + "~" + sha256Hex(bytes).substring(0, HASH_HEX);
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
