package io.smarttag.hub.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Archive keys follow the documented layout, ids from the sender can never escape it, and two events never share a key. */
class ArchiveKeysTest {

    private final ArchiveKeys keys = new ArchiveKeys("vod-events");

    @Test
    void seedSampleKey() {
        assertEquals("vod-events/2017/03/20/sj83k40d92c641401fab46a0b842e9****/jd83k4184c0e47098a5b665e2aj3****-success.json",
                keys.key("2017-03-20T07:49:17Z", "sj83k40d92c641401fab46a0b842e9****", "jd83k4184c0e47098a5b665e2aj3****", "success"));
    }

    @Test
    void dateIsTakenInUtcAndAMissingDateHasItsOwnSegment() {
        assertEquals("vod-events/2017/03/19/m/j-fail.json", keys.key("2017-03-20T01:00:00+08:00", "m", "j", "fail"));
        assertEquals("vod-events/unknown-date/m/j-fail.json", keys.key("yesterday", "m", "j", "fail"));
        assertEquals("unknown-date/m/j-fail.json", new ArchiveKeys("").key(null, "m", "j", "fail"));
    }

    @Test
    void hostileIdsStayInOneSegment() {
        String key = keys.key("2017-03-20T07:49:17Z", "../../etc/passwd", "a/b\r\nBcc: evil@x", "success");
        assertEquals(6, key.split("/").length, key);
        assertFalse(key.contains(".."), key);
        assertFalse(key.contains("\r") || key.contains("\n") || key.contains(" "), key);
        assertEquals("~empty", ArchiveKeys.segment(""));
        assertEquals("~none", ArchiveKeys.segment(null));
        assertEquals("%2E%2E", ArchiveKeys.segment(".."));
        assertEquals("a.%2E", ArchiveKeys.segment("a.."));
        assertEquals("%E5%BC%A0%E4%B8%89%20", ArchiveKeys.segment("张三 "));
        assertEquals(ArchiveKeys.MAX_SEGMENT, ArchiveKeys.segment("x".repeat(500)).length());
        assertTrue(new ArchiveKeys("a/../b").key(null, "m", "j", "success").startsWith("a/%2E%2E/b/"));
    }

    /** The collision found from outside: a/x, a_x and a:x all became a_x. */
    @Test
    void idsThatDifferOnlyInUnsafeCharactersGetDifferentKeys() {
        List<String> ids = List.of("a/x", "a_x", "a:x", "a%x", "a%2Fx", "a x", "a\u0000x", "a.x", "a..x", "_", "~none");
        Map<String, String> seen = new HashMap<>();
        for (String id : ids) {
            String key = keys.key("2017-03-20T07:49:17Z", id, id, "success");
            String before = seen.put(key, id);
            assertEquals(null, before, "'" + id + "' and '" + before + "' share " + key);
        }
    }

    @Test
    void encodingIsReversibleAndShortenedSegmentsStayDistinct() {
        Random random = new Random(42);
        String alphabet = "ab_/:.%~*-+ 张\u00e9";
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = 1 + random.nextInt(i % 10 == 0 ? 300 : 12);
            for (int c = 0; c < length; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String raw = id.toString();
            String segment = ArchiveKeys.segment(raw);
            assertTrue(segment.length() <= ArchiveKeys.MAX_SEGMENT, segment);
            assertTrue(segment.matches("[A-Za-z0-9._*%~-]+"), segment);
            assertFalse(segment.startsWith(".") || segment.contains(".."), segment);
            if (!segment.contains("~")) {
                assertEquals(raw, URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            String before = seen.put(segment, raw);
            assertTrue(before == null || before.equals(raw), "'" + raw + "' and '" + before + "' share " + segment);
        }
    }

    @Test
    void otherEventTypesDoNotShareTheTagEventsKey() {
        String tag = keys.key("2017-03-20T07:49:17Z", "m", "j", "success", null);
        String other = keys.key("2017-03-20T07:49:17Z", "m", "j", "success", "AIMediaDNAComplete");
        assertEquals("vod-events/2017/03/20/m/j-success+AIMediaDNAComplete.json", other);
        assertFalse(tag.equals(other));
    }
}
