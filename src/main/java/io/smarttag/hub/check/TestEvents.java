package io.smarttag.hub.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The check command's test event: a normal AIVideoTagComplete, shaped exactly like VOD's, whose
 * JobId starts with {@value #JOB_PREFIX} (contract 4). The hub treats it as any event, so every
 * destination gets it like a real one; the prefix (and the MediaId and tag {@value #MARK}) is how a
 * destination, a query or the /ops page tells it apart. It carries one Keyword tag, so the
 * database destination writes one tag row.
 */
public final class TestEvents {

    public static final String JOB_PREFIX = "smarttag-check-";
    public static final String MARK = "smarttag-check";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestEvents() {
    }

    public static String newJobId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return JOB_PREFIX + HexFormat.of().formatHex(bytes);
    }

    public static byte[] event(String jobId) {
        ObjectNode data = JSON.createObjectNode();
        data.putArray("Keyword").addObject().put("Tag", MARK).putArray("Times").add("0");
        ObjectNode event = JSON.createObjectNode()
                .put("EventTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("EventType", "AIVideoTagComplete")
                .put("JobId", jobId)
                .put("MediaId", MARK)
                .put("Status", "success")
                .put("Code", "0")
                .put("Message", "OK")
                .put("Data", data.toString());
        try {
            return JSON.writeValueAsBytes(event);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
