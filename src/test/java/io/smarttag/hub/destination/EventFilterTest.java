package io.smarttag.hub.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.testsupport.Samples;
import org.junit.jupiter.api.Test;

/**
 * The patterns docs/destinations.md documents (section Filter), matched by Event Ruler against the event's view: each with an
 * event it takes and one it does not.
 */
class EventFilterTest {

    private static final EventView VIEWS = new EventView();

    private static JsonNode view(byte[] event) throws Exception {
        return VIEWS.of(event);
    }

    private static boolean takes(String pattern, byte[] event) throws Exception {
        return EventFilter.compile("hub.destination.t.filter", pattern).takes(view(event));
    }

    private static final byte[] SEED = Samples.seed();
    private static final byte[] FAIL = Samples.fail();
    /** A success event with keywords only, no Person tag. */
    private static final byte[] NO_FACES = Samples.successWithData("no-faces",
            "{\"Keyword\":[{\"Times\":[\"900\"],\"Tag\":\"Skin\"}],\"Location\":[{\"Times\":[\"8410\"],\"Tag\":\"Europe\"}]}");

    @Test
    void theViewHasDataParsedAndTimesAsNumbers() throws Exception {
        JsonNode view = view(SEED);
        assertEquals("sj83k40d92c641401fab46a0b842e9****", view.path("MediaId").asText());
        assertEquals("Sam", view.path("Data").path("Person").path(0).path("Tag").asText());
        assertTrue(view.path("Data").path("Person").path(0).path("Times").path(0).isNumber());
        assertEquals(10760, view.path("Data").path("Person").path(0).path("Times").path(0).asLong());
        assertTrue(view(FAIL).path("Data").isObject(), "Data \"{}\" is an empty object");
    }

    @Test
    void aCategory() throws Exception {
        String person = "{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}}";
        assertTrue(takes(person, SEED));
        assertFalse(takes(person, NO_FACES));
        assertFalse(takes(person, FAIL));
    }

    @Test
    void aTagValueAndAPrefixOfOne() throws Exception {
        assertTrue(takes("{\"Data\":{\"Person\":{\"Tag\":[\"Sam\"]}}}", SEED));
        assertFalse(takes("{\"Data\":{\"Person\":{\"Tag\":[\"Alice\"]}}}", SEED));
        assertTrue(takes("{\"Data\":{\"Keyword\":{\"Tag\":[{\"prefix\":\"Lanc\"}]}}}", SEED));
        assertFalse(takes("{\"Data\":{\"Keyword\":{\"Tag\":[{\"prefix\":\"Lanc\"}]}}}", NO_FACES));
        assertTrue(takes("{\"Data\":{\"Keyword\":{\"Tag\":[{\"equals-ignore-case\":\"CUSHION\"}]}}}", SEED));
    }

    @Test
    void aMediaIdPrefix() throws Exception {
        String pattern = "{\"MediaId\":[{\"prefix\":\"sj83\"}]}";
        assertTrue(takes(pattern, SEED));
        assertFalse(takes(pattern, Samples.with(SEED, "MediaId", "app2-0001")));
    }

    @Test
    void aCodePrefix() throws Exception {
        String pattern = "{\"Code\":[{\"prefix\":\"Invalid\"}]}";
        assertTrue(takes(pattern, Samples.with(FAIL, "Code", "InvalidParameter.Video")));
        assertFalse(takes(pattern, FAIL), "Code InternalError");
    }

    @Test
    void aNumericComparisonOnTagTimes() throws Exception {
        // a face seen after the first 10 seconds of the video
        String pattern = "{\"Data\":{\"Person\":{\"Times\":[{\"numeric\":[\">\",10000]}]}}}";
        assertTrue(takes(pattern, SEED), "Sam at 10760 ms");
        assertFalse(takes(pattern, Samples.successWithData("early-face",
                "{\"Person\":[{\"Times\":[\"900\",\"5000\"],\"Tag\":\"Sam\"}]}")));
    }

    @Test
    void theSameItemOfAnArray() throws Exception {
        // Event Ruler matches fields of one array element together: Sam must be the face seen late
        String pattern = "{\"Data\":{\"Person\":{\"Tag\":[\"Sam\"],\"Times\":[{\"numeric\":[\">=\",10000]}]}}}";
        assertTrue(takes(pattern, SEED));
        assertFalse(takes(pattern, Samples.successWithData("two-faces",
                "{\"Person\":[{\"Times\":[\"900\"],\"Tag\":\"Sam\"},{\"Times\":[\"20000\"],\"Tag\":\"Ann\"}]}")));
    }

    @Test
    void anythingBut() throws Exception {
        String pattern = "{\"Status\":[\"fail\"],\"Code\":[{\"anything-but\":[\"InternalError\",\"Timeout\"]}]}";
        assertTrue(takes(pattern, Samples.with(FAIL, "Code", "InvalidParameter.Video")));
        assertFalse(takes(pattern, FAIL), "InternalError is excluded");
        assertFalse(takes(pattern, SEED), "not a fail");
    }

    @Test
    void orOfTwoPatterns() throws Exception {
        String pattern = "{\"$or\":[{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}},{\"Code\":[{\"prefix\":\"Invalid\"}]}]}";
        assertTrue(takes(pattern, SEED), "has a face");
        assertTrue(takes(pattern, Samples.with(FAIL, "Code", "InvalidVideo")), "an Invalid code");
        assertFalse(takes(pattern, NO_FACES));
        assertFalse(takes(pattern, FAIL));
    }

    @Test
    void anInvalidPatternNamesThePropertyAndTheMatchersReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventFilter.compile("hub.destination.faces.filter", "{\"MediaId\":[{\"prefix\":42}]}"));
        assertTrue(e.getMessage().startsWith("hub.destination.faces.filter is not a valid event pattern: "), e.getMessage());
        assertTrue(e.getMessage().length() > "hub.destination.faces.filter is not a valid event pattern: ".length() + 5, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventFilter.compile("p", "{\"MediaId\":"));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.compile("p", "{\"MediaId\":[{\"numeric\":[\">\"]}]}"));
    }
}
