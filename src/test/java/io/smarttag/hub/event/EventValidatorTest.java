package io.smarttag.hub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.Samples;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What is an acceptable event at accept time, and that no input makes the validator blow up. */
class EventValidatorTest {

    private final EventValidator validator = new EventValidator();

    private String reason(String body) {
        return reason(body.getBytes(StandardCharsets.UTF_8));
    }

    private String reason(byte[] body) {
        return assertThrows(InvalidEventException.class, () -> validator.validate(body)).getMessage();
    }

    @Test
    void seedAndFailSamplesAreValid() throws Exception {
        VodEvent seed = validator.validate(Samples.seed());
        assertEquals("jd83k4184c0e47098a5b665e2aj3****", seed.getJobId());
        assertTrue(seed.isTagEvent());
        assertEquals("fail", validator.validate(Samples.fail()).getStatus());
    }

    @Test
    void reasonsNameTheProblem() {
        assertTrue(reason("").contains("empty"));
        assertTrue(reason("{\"a\":").contains("not valid JSON (unexpected end of input)"));
        assertTrue(reason("{\"a\" 1}").contains("not valid JSON (malformed JSON)"));
        assertTrue(reason(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}).contains("invalid UTF-8"));
        assertTrue(reason("[1]").contains("JSON object"));
        assertTrue(reason("{\"EventType\":\"AIVideoTagComplete\",\"Status\":\"success\"}").contains("JobId"));
        assertTrue(reason("{\"EventType\":\"x\",\"JobId\":\"j\",\"Status\":\"done\"}").contains("'done'"));
        assertTrue(reason("{\"EventType\":\"x\",\"JobId\":7,\"Status\":\"fail\"}").contains("JobId"));
        assertTrue(reason("{\"EventType\":\"AIVideoTagComplete\",\"JobId\":\"j\",\"Status\":\"success\",\"Data\":5}").contains("Data"));
        assertTrue(reason("{\"EventType\":\"x\",\"JobId\":\"j\",\"JobId\":\"k\",\"Status\":\"fail\"}").contains("not valid JSON (duplicate field)"),
                "duplicate keys are rejected");
        assertTrue(reason("{\"EventType\":\"x\",\"JobId\":\"" + "j".repeat(300) + "\",\"Status\":\"fail\"}").contains("longer"));
    }

    @Test
    void otherVodAiEventsNeedOnlyTheEnvelope() throws Exception {
        VodEvent audit = validator.validate("{\"EventType\":\"AIMediaAuditComplete\",\"JobId\":\"a\",\"Status\":\"success\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(false, audit.isTagEvent());
    }

    @Test
    void deepNestingIsRejectedNotACrash() {
        String deep = "{\"EventType\":\"x\",\"JobId\":\"j\",\"Status\":\"fail\",\"Extra\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertTrue(reason(deep).contains("not valid JSON (exceeds a read limit"), reason(deep));
    }

    @Test
    void mutatedSamplesEitherValidateOrAreRejectedNeverThrowOtherwise() {
        Random random = new Random(42);
        byte[] seed = Samples.seed();
        int valid = 0;
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] body = seed.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
            }
            if (random.nextBoolean()) {
                body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
            }
            try {
                validator.validate(body);
                valid++;
            } catch (InvalidEventException expected) {
                rejected++;
            }
        }
        System.out.printf("validator fuzz: %d mutated samples, %d valid, %d rejected, 0 crashed%n", valid + rejected, valid, rejected);
        assertEquals(3000, valid + rejected);
        assertTrue(rejected > 0);
    }
}
