package io.smarttag.hub.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Archive keys follow the documented layout and ids from the sender can never escape it. */
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
        assertEquals("_", ArchiveKeys.segment(""));
        assertEquals("__", ArchiveKeys.segment(".."));
        assertEquals("a._", ArchiveKeys.segment("a.."));
        assertEquals("___", ArchiveKeys.segment("张三 "));
        assertEquals(128, ArchiveKeys.segment("x".repeat(500)).length());
        assertTrue(new ArchiveKeys("a/../b").key(null, "m", "j", "s").startsWith("a/__/b/"));
    }
}
