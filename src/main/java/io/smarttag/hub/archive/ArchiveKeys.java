package io.smarttag.hub.archive;

import io.smarttag.hub.event.VodEvent;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Archive keys: <prefix>/<yyyy>/<MM>/<dd>/<MediaId>/<JobId>-<Status>.json, dated by EventTime
 * (UTC). Ids come from the sender, so each becomes one safe segment: no '/', no '..', no control
 * characters ever reach an S3 key or a file path. An event without a readable EventTime goes
 * under the single segment "unknown-date".
 */
public class ArchiveKeys {

    private static final DateTimeFormatter DATE_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd");
    private static final int MAX_SEGMENT = 128;

    private final String prefix;

    public ArchiveKeys(String prefix) {
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

    public String keyFor(VodEvent event) {
        return key(event.getEventTime(), event.getMediaId(), event.getJobId(), event.getStatus());
    }

    public String key(String eventTime, String mediaId, String jobId, String status) {
        String key = datePath(eventTime) + "/" + segment(mediaId) + "/" + segment(jobId + "-" + status) + ".json";
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    private static String datePath(String eventTime) {
        if (eventTime == null) {
            return "unknown-date";
        }
        try {
            return OffsetDateTime.parse(eventTime.trim()).withOffsetSameInstant(ZoneOffset.UTC).format(DATE_PATH);
        } catch (DateTimeParseException e) {
            return "unknown-date";
        }
    }

    /** One safe key/path segment made of [A-Za-z0-9._*-], never starting with a dot, never holding "..". */
    public static String segment(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "_";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX_SEGMENT));
        raw.codePoints().limit(MAX_SEGMENT).forEach(c -> {
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '*' || c == '-';
            out.append(safe ? (char) c : '_');
        });
        int dots = 0;
        while (dots < out.length() && out.charAt(dots) == '.') {
            out.setCharAt(dots++, '_');
        }
        // No ".." anywhere, not only as a whole segment: some stores and tools normalise it.
        for (int i = 1; i < out.length(); i++) {
            if (out.charAt(i) == '.' && out.charAt(i - 1) == '.') {
                out.setCharAt(i, '_');
            }
        }
        return out.toString();
    }
}
