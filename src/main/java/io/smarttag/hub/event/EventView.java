package io.smarttag.hub.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The event as filters match it and as a CloudEvent carries it as data: its top-level fields as
 * received, with {@code Data} replaced by the JSON document the string holds, so a pattern names a
 * tag category and the fields of its items ({@code {"Data":{"Person":{"Tag":[{"exists":true}]}}}}).
 * In each tag category the items' {@code Times} become numbers of milliseconds (VOD sends strings,
 * sometimes a string holding an array: see {@link DataParser}), so {@code numeric} patterns work on
 * them. Everything else in Data is kept as it is, unknown keys included.
 *
 * <p>Data that holds no JSON object (another event type's result, a plain string) stays as it was.
 */
public final class EventView {

    private final ObjectMapper json;
    private final DataParser parser;

    public EventView(ObjectMapper json) {
        this.json = json;
        this.parser = new DataParser(json);
    }

    public EventView() {
        this(new ObjectMapper());
    }

    /** The view of an event given as its raw bytes (what the inbox holds). */
    public ObjectNode of(byte[] raw) throws IOException {
        JsonNode event = json.readTree(raw);
        if (event == null || !event.isObject()) {
            throw new IOException("the event is not a JSON object");
        }
        ObjectNode view = (ObjectNode) event;
        JsonNode data = view.get("Data");
        JsonNode document = document(data);
        if (document != null) {
            view.set("Data", document);
            numberTimes((ObjectNode) document);
        }
        return view;
    }

    /** The object Data holds (a string holding one, or an object); null when it holds none. */
    private JsonNode document(JsonNode data) {
        if (data == null) {
            return null;
        }
        if (data.isObject()) {
            return data;
        }
        if (data.isTextual()) {
            try {
                JsonNode parsed = json.readTree(data.textValue());
                return parsed != null && parsed.isObject() ? parsed : null;
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Times of every tag item as numbers, read the way the database destination reads them; a
     * document the parser refuses keeps its Times as they were (the view never fails an event).
     */
    private void numberTimes(ObjectNode document) {
        Map<String, List<TagItem>> categories;
        try {
            categories = parser.parse(document).categories();
        } catch (InvalidEventException e) {
            return;
        }
        categories.forEach((category, items) -> {
            JsonNode list = document.get(category);
            for (int i = 0; i < items.size() && i < list.size(); i++) {
                JsonNode item = list.get(i);
                if (item.has("Times")) {
                    ArrayNode times = json.createArrayNode();
                    items.get(i).times().forEach(times::add);
                    ((ObjectNode) item).set("Times", times);
                }
            }
        });
    }
}
