package io.smarttag.hub.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.smarttag.hub.testsupport.Samples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Data result format: parsed twice, lenient where VOD's documents disagree, strict on nonsense. */
class DataParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataParser parser = new DataParser();

    private TagResult parse(String dataJson) throws Exception {
        return parser.parse(TextNode.valueOf(dataJson));
    }

    @Test
    void seedSampleHas44OccurrencesInThreeCategories() throws Exception {
        JsonNode data = JSON.readTree(Samples.seed()).get("Data");
        VodEvent event = JSON.readValue(Samples.seed(), VodEvent.class);
        EventRows.Rows rows = new EventRows().rows(event);
        assertEquals(44, rows.tagCount());
        Map<String, List<TagItem>> categories = parser.parse(data).categories();
        assertEquals(List.of("Keyword", "Person", "Location"), List.copyOf(categories.keySet()));
        assertEquals(42, rows.tags().stream().filter(r -> "Keyword".equals(r.get("category"))).count());
        Map<String, Object> person = rows.tags().stream().filter(r -> "Person".equals(r.get("category"))).findFirst().orElseThrow();
        assertEquals("Sam", person.get("tag"));
        assertEquals(10760L, person.get("timeMs"));
        assertTrue(((String) person.get("faceUrl")).endsWith("Index_00016.jpg"));
        assertEquals(0, person.get("itemIndex"));
    }

    /** What the database destination binds: the same rows as the row maps, in tag-insert.sql's and asr-insert.sql's column order. */
    @Test
    void databaseValuesAreTheRowsInColumnOrder() throws Exception {
        VodEvent event = JSON.readValue(Samples.seed(), VodEvent.class);
        com.fasterxml.jackson.databind.node.ObjectNode data = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(event.getData().textValue());
        data.set("OrigASRData", JSON.readTree("{\"AsrTextList\":[{\"StartTime\":0,\"EndTime\":700,\"Text\":\"一\",\"ChannelId\":0,\"SpeechRate\":85}]}"));
        String withoutTimes = data.toString().replace("{\"Times\":[\"8410\"],\"Tag\":\"Air\"}", "{\"Tag\":\"Air\"}");
        assertTrue(withoutTimes.contains("{\"Tag\":\"Air\"}"));
        event.setData(TextNode.valueOf(withoutTimes));
        EventRows.Rows rows = new EventRows().rows(event);
        EventRows.Values values = new EventRows().values(event);
        assertEquals(44, values.tagCount());
        assertEquals(1, values.asrCount());
        List<List<Object>> tags = new java.util.ArrayList<>();
        values.tags(row -> tags.add(java.util.Arrays.asList(row.clone())));
        assertEquals(rows.tags().stream().map(r -> new java.util.ArrayList<>(r.values())).toList().toString(), tags.toString());
        assertEquals(List.of("jobId", "mediaId", "category", "tag", "timeMs", "faceUrl", "itemIndex"), List.copyOf(rows.tags().get(0).keySet()));
        assertTrue(tags.stream().anyMatch(r -> "Air".equals(r.get(3)) && r.get(4) == null), "an item without Times: one row, timeMs null");
        List<List<Object>> asr = new java.util.ArrayList<>();
        values.asr(row -> asr.add(java.util.Arrays.asList(row.clone())));
        assertEquals(java.util.Arrays.asList(event.getJobId(), 0, 0L, 700L, "一", 0, 85), asr.get(0));
        assertEquals(List.of("jobId", "seq", "startMs", "endMs", "text", "channelId", "speechRate"), List.copyOf(rows.asr().get(0).keySet()));
        assertEquals(0, EventRows.Values.none().tagCount());
    }

    @Test
    void timesAcceptStringsNumbersAndAStringHoldingAnArray() throws Exception {
        TagResult result = parse("{\"Keyword\":[{\"Tag\":\"a\",\"Times\":[\"1\",2]},{\"Tag\":\"b\",\"Times\":\"[\\\"3\\\",\\\"4\\\"]\"},"
                + "{\"Tag\":\"c\",\"Times\":[\"[\\\"5\\\"]\"]}]}");
        List<TagItem> items = result.categories().get("Keyword");
        assertEquals(List.of(1L, 2L), items.get(0).times());
        assertEquals(List.of(3L, 4L), items.get(1).times());
        assertEquals(List.of(5L), items.get(2).times());
    }

    @Test
    void itemWithoutTimesGivesOneRowWithoutTime() throws Exception {
        VodEvent event = new VodEvent();
        event.setJobId("j");
        event.setData(TextNode.valueOf("{\"Category\":[{\"Tag\":\"美妆\"}]}"));
        List<Map<String, Object>> tags = new EventRows().rows(event).tags();
        assertEquals(1, tags.size());
        assertNull(tags.get(0).get("timeMs"));
        assertEquals("美妆", tags.get(0).get("tag"));
    }

    @Test
    void unknownCategoriesAreKeptUnderTheirOwnName() throws Exception {
        TagResult result = parse("{\"Logo\":[{\"Tag\":\"兰蔻\",\"Times\":[\"10\"]}],\"Duration\":\"300\",\"Flags\":[1,2]}");
        assertEquals(List.of("Logo"), List.copyOf(result.categories().keySet()));
        assertEquals("兰蔻", result.categories().get("Logo").get(0).tag());
    }

    @Test
    void dataMayBeAnObjectInsteadOfAString() throws Exception {
        TagResult result = parser.parse(JSON.readTree("{\"Person\":[{\"Tag\":\"张三\",\"Times\":[\"1\"]}]}"));
        assertEquals("张三", result.categories().get("Person").get(0).tag());
    }

    @Test
    void origAsrDataAsObjectOrListIsNumberedAcrossBlocks() throws Exception {
        String s1 = "{\"StartTime\":0,\"EndTime\":700,\"Text\":\"一\",\"ChannelId\":0,\"SpeechRate\":85}";
        String s2 = "{\"StartTime\":\"700\",\"EndTime\":\"900\",\"Text\":\"二\",\"ChannelId\":\"1\",\"SpeechRate\":90}";
        List<AsrSentence> fromObject = parse("{\"OrigASRData\":{\"AsrTextList\":[" + s1 + "," + s2 + "],\"Duration\":\"30016\"}}").asr();
        List<AsrSentence> fromList = parse("{\"OrigASRData\":[{\"AsrTextList\":[" + s1 + "]},{\"AsrTextList\":[" + s2 + "]}]}").asr();
        assertEquals(fromObject, fromList);
        assertEquals(new AsrSentence(1, 700L, 900L, "二", 1, 90), fromList.get(1));
    }

    @Test
    void nonsenseIsRejectedWithAReasonNamingThePlace() {
        InvalidEventException badTime = assertThrows(InvalidEventException.class,
                () -> parse("{\"Keyword\":[{\"Tag\":\"a\",\"Times\":[\"soon\"]}]}"));
        assertTrue(badTime.getMessage().contains("Keyword[0]"), badTime.getMessage());
        assertThrows(InvalidEventException.class, () -> parse("{\"Keyword\":[{\"Times\":[\"1\"]}]}"));
        assertThrows(InvalidEventException.class, () -> parse("{\"Keyword\":[{\"Tag\":\"a\",\"Times\":[\"-5\"]}]}"));
        assertThrows(InvalidEventException.class, () -> parse("not json"));
        assertThrows(InvalidEventException.class, () -> parse("[1,2]"));
        assertThrows(InvalidEventException.class, () -> parse("{\"OrigASRData\":\"x\"}"));
    }

    /**
     * Data is read as a stream of tokens, with the reading of the whole document (issue 21): a key
     * given twice counts with its last value at its first place, values of any shape inside an item
     * are skipped whole, and a document that is not well-formed is reported as such even after an
     * earlier value was already wrong. (A differential run against the former tree reader, 200,000
     * mutated documents, gave the same result or the same message for every one.)
     */
    @Test
    void readsAsIfTheWholeDocumentWereReadFirst() throws Exception {
        TagResult twice = parse("{\"Keyword\":[{\"Tag\":\"a\"}],\"Person\":[{\"Tag\":\"p\"}],\"Keyword\":[{\"Tag\":\"b\",\"Times\":[1],\"Times\":[2,3]}]}");
        assertEquals(List.of("Keyword", "Person"), List.copyOf(twice.categories().keySet()));
        assertEquals(List.of(new TagItem("b", List.of(2L, 3L), null)), twice.categories().get("Keyword"));
        TagResult replaced = parse("{\"Keyword\":[{\"Times\":[\"x\"]}],\"Keyword\":\"none\",\"Flags\":[{\"Tag\":\"f\"},1]}");
        assertTrue(replaced.categories().isEmpty(), "an invalid value given again as a non-list, and a mixed array: no category");
        TagResult nested = parse("{\"Logo\":[{\"Tag\":\"l\",\"Extra\":{\"Tag\":[1,{\"Times\":\"bad\"}]},\"FaceUrl\":[\"u\"],\"Times\":null}]}");
        assertEquals(List.of(new TagItem("l", List.of(), null)), nested.categories().get("Logo"));

        InvalidEventException broken = assertThrows(InvalidEventException.class,
                () -> parse("{\"Keyword\":[{\"Times\":[1]}],\"Person\":[{\"Tag\":\"p\"},{Tag:1}]}"));
        assertEquals("Data must be a JSON object or a string holding one", broken.getMessage());
        InvalidEventException first = assertThrows(InvalidEventException.class,
                () -> parse("{\"Person\":[{\"Tag\":\"p\",\"Times\":[1.5]}],\"Keyword\":[{\"Times\":[1]}]}"));
        assertEquals("Person[0].Times holds a value that is not milliseconds", first.getMessage());
        InvalidEventException huge = assertThrows(InvalidEventException.class,
                () -> parse("{\"Keyword\":[{\"Tag\":\"a\"},{\"Tag\":\"b\",\"Times\":[99999999999999999999]}]}"));
        assertEquals("Keyword[1].Times holds a value that is not milliseconds", huge.getMessage());
    }
}
