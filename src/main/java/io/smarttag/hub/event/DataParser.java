package io.smarttag.hub.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the smart-tag result that VOD puts in Data. The format is loose in practice (see
 * vod-and-mns.md): Data is a JSON string holding JSON (or an object), Times are strings of
 * milliseconds (or numbers, or a string holding a JSON array), OrigASRData is an object or a
 * list. Categories we do not know are kept under their own name rather than dropped.
 *
 * <p>The document is read as a stream of tokens, not as a tree: a tree of an event with 10,000
 * Times held about 1.5 MB per event being parsed (a node, a string and a map entry per value), and
 * eight callers parsing such events at once needed that much more heap (issue 21). Its reading is
 * the tree's, exactly: a key given twice counts with its last value at its first place, an array
 * with anything but objects is not a category, and a document that is not well-formed JSON is
 * reported as such even where an earlier value was already wrong (errors wait for its end). Only
 * the rare parts are read as small trees: OrigASRData and a Times string holding an array.
 */
public class DataParser {

    private static final String ASR = "OrigASRData";
    /** Outcome of a key whose value is not a tag list (and not OrigASRData): no category. */
    private static final Object NOT_TAGS = new Object();

    private final ObjectMapper json;
    /** Reads OrigASRData in the middle of the document: no check for tokens after it. */
    private final ObjectReader trees;

    public DataParser(ObjectMapper json) {
        this.json = json;
        this.trees = json.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    public DataParser() {
        this(new ObjectMapper());
    }

    public TagResult parse(JsonNode data) throws InvalidEventException {
        if (data == null || data.isNull() || data.isMissingNode()) {
            return TagResult.empty();
        }
        if (!data.isTextual() && !data.isObject()) {
            throw notADocument();
        }
        try (JsonParser tokens = data.isTextual() ? json.createParser(data.textValue()) : json.treeAsTokens(data)) {
            if (tokens.nextToken() != JsonToken.START_OBJECT) {
                throw notADocument();
            }
            Map<String, Object> outcomes = readDocument(tokens);
            if (json.isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) && tokens.nextToken() != null) {
                throw notADocument();
            }
            return result(outcomes);
        } catch (JsonProcessingException e) {
            throw notADocument();
        } catch (IOException e) {
            throw new InvalidEventException("Data is not readable");
        }
    }

    private static InvalidEventException notADocument() {
        return new InvalidEventException("Data must be a JSON object or a string holding one");
    }

    /**
     * The keys of the result document in order, each with its outcome (items, ASR sentences, an
     * error, or NOT_TAGS); errors are thrown by {@link #result} once the whole document was read.
     */
    private Map<String, Object> readDocument(JsonParser p) throws IOException {
        Map<String, Object> outcomes = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            Object outcome;
            if (ASR.equals(key)) {
                JsonNode asr = trees.readTree(p);
                outcome = readAsr(asr == null ? NullNode.getInstance() : asr);
            } else if (value == JsonToken.START_ARRAY) {
                outcome = readCategory(p, key);
            } else {
                p.skipChildren();
                outcome = NOT_TAGS;
            }
            outcomes.put(key, outcome); // a key given again keeps its first place, as in a tree
        }
        return outcomes;
    }

    /** The categories and ASR sentences of the outcomes, or the first error in key order. */
    private static TagResult result(Map<String, Object> outcomes) throws InvalidEventException {
        Map<String, List<TagItem>> categories = new LinkedHashMap<>();
        List<AsrSentence> asr = List.of();
        for (Map.Entry<String, Object> outcome : outcomes.entrySet()) {
            Object value = outcome.getValue();
            if (value instanceof InvalidEventException e) {
                throw e;
            }
            if (value instanceof AsrOutcome sentences) {
                asr = sentences.list();
            } else if (value instanceof ItemsOutcome items) {
                categories.put(outcome.getKey(), items.list());
            }
        }
        return new TagResult(categories, asr);
    }

    private record ItemsOutcome(List<TagItem> list) {
    }

    private record AsrOutcome(List<AsrSentence> list) {
    }

    /** An array: a category when every element is an object (an empty one too), else NOT_TAGS. */
    private Object readCategory(JsonParser p, String category) throws IOException {
        List<TagItem> items = new ArrayList<>();
        InvalidEventException error = null;
        boolean objectsOnly = true;
        int index = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                objectsOnly = false;
                p.skipChildren();
            } else if (!objectsOnly || error != null) {
                p.skipChildren();
            } else {
                try {
                    items.add(readItem(p, category, index));
                } catch (InvalidEventException e) {
                    error = e;
                }
            }
            index++;
        }
        if (!objectsOnly) {
            return NOT_TAGS;
        }
        return error != null ? error : new ItemsOutcome(items);
    }

    /** One item, read to its end: Tag (text, required), Times, FaceUrl; other keys are skipped. */
    private TagItem readItem(JsonParser p, String category, int index) throws IOException, InvalidEventException {
        String tag = null;
        String faceUrl = null;
        Object times = Millis.NONE; // the last Times given: Millis or the error it gave
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
            switch (field) {
                case "Tag" -> tag = text;
                case "FaceUrl" -> faceUrl = text;
                case "Times" -> {
                    try {
                        times = readTimes(p, value, category, index);
                    } catch (InvalidEventException e) {
                        times = e;
                    }
                }
                default -> {
                }
            }
            p.skipChildren(); // the rest of an array or object value not read above (a no-op after Times)
        }
        if (tag == null) {
            throw new InvalidEventException(category + "[" + index + "] has no Tag text");
        }
        if (times instanceof InvalidEventException e) {
            throw e;
        }
        return new TagItem(tag, (Millis) times, faceUrl);
    }

    /** Times, read to the end of its value (an error is thrown only then). */
    private Millis readTimes(JsonParser p, JsonToken value, String category, int index) throws IOException, InvalidEventException {
        if (value == JsonToken.VALUE_NULL) {
            return Millis.NONE;
        }
        Millis.Builder result = new Millis.Builder();
        if (value == JsonToken.VALUE_STRING) {
            addTimes(unwrap(category, index, p.getText()), result, category, index);
            return result.build();
        }
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            throw new InvalidEventException(category + "[" + index + "].Times must be a list of milliseconds");
        }
        InvalidEventException error = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (error != null) {
                p.skipChildren();
                continue;
            }
            try {
                if (t == JsonToken.VALUE_STRING && p.getText().trim().startsWith("[")) {
                    for (JsonNode inner : unwrap(category, index, p.getText())) {
                        result.add(millis(category, index, inner));
                    }
                } else {
                    result.add(millis(category, index, p, t));
                }
            } catch (InvalidEventException e) {
                error = e;
            }
        }
        if (error != null) {
            throw error;
        }
        return result.build();
    }

    /** The elements of a Times array given as a tree (a string holding an array), same rules. */
    private void addTimes(JsonNode times, Millis.Builder result, String category, int index) throws InvalidEventException {
        for (JsonNode time : times) {
            if (time.isTextual() && time.textValue().trim().startsWith("[")) {
                for (JsonNode inner : unwrap(category, index, time.textValue())) {
                    result.add(millis(category, index, inner));
                }
            } else {
                result.add(millis(category, index, time));
            }
        }
    }

    /** A string holding a JSON array, as the GetAIVideoTagResult docs render Times. */
    private JsonNode unwrap(String category, int index, String text) throws InvalidEventException {
        try {
            JsonNode node = json.readTree(text);
            if (node != null && node.isArray()) {
                return node;
            }
        } catch (JsonProcessingException ignored) {
            // reported below
        }
        throw new InvalidEventException(category + "[" + index + "].Times must be a list of milliseconds");
    }

    /** The current token as milliseconds: a whole number or a numeric string, not negative. */
    private static long millis(String category, int index, JsonParser p, JsonToken t) throws IOException, InvalidEventException {
        Long value = null;
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            value = p.getLongValue();
        } else if (t == JsonToken.VALUE_STRING) {
            value = digits(p.getText());
        } else {
            p.skipChildren();
        }
        return checked(category, index, value);
    }

    private static long millis(String category, int index, JsonNode time) throws InvalidEventException {
        return checked(category, index, number(time));
    }

    private static long checked(String category, int index, Long value) throws InvalidEventException {
        if (value == null || value < 0) {
            throw new InvalidEventException(category + "[" + index + "].Times holds a value that is not milliseconds");
        }
        return value;
    }

    /** A whole number given as a JSON number or a numeric string; null otherwise. */
    static Long number(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        return node.isTextual() ? digits(node.textValue()) : null;
    }

    private static Long digits(String text) {
        // a Time given as a string: an optional minus and 1 to 18 ASCII digits (every Time of every
        // tag passes here, so checked by hand rather than by a regex matcher)
        String trimmed = text.trim();
        int start = trimmed.startsWith("-") ? 1 : 0;
        int length = trimmed.length() - start;
        if (length < 1 || length > 18) {
            return null;
        }
        for (int i = start; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(trimmed);
    }

    /** OrigASRData (read as a tree: sentences are few): an object or a list of objects, or null. */
    private static Object readAsr(JsonNode asrData) {
        List<AsrSentence> out = new ArrayList<>();
        try {
            if (asrData.isObject()) {
                readAsrBlock(asrData, out);
            } else if (asrData.isArray()) {
                for (JsonNode block : asrData) {
                    if (!block.isObject()) {
                        throw new InvalidEventException("OrigASRData must be an object or a list of objects");
                    }
                    readAsrBlock(block, out);
                }
            } else if (!asrData.isNull()) {
                throw new InvalidEventException("OrigASRData must be an object or a list of objects");
            }
        } catch (InvalidEventException e) {
            return e;
        }
        return new AsrOutcome(out);
    }

    private static void readAsrBlock(JsonNode block, List<AsrSentence> out) throws InvalidEventException {
        JsonNode list = block.get("AsrTextList");
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            throw new InvalidEventException("OrigASRData.AsrTextList must be a list");
        }
        for (JsonNode sentence : list) {
            if (!sentence.isObject()) {
                throw new InvalidEventException("OrigASRData.AsrTextList holds a value that is not an object");
            }
            JsonNode text = sentence.get("Text");
            out.add(new AsrSentence(out.size(), number(sentence.get("StartTime")), number(sentence.get("EndTime")),
                    text != null && text.isTextual() ? text.textValue() : null,
                    integer(sentence.get("ChannelId")), integer(sentence.get("SpeechRate"))));
        }
    }

    private static Integer integer(JsonNode node) {
        Long value = number(node);
        return value == null || value > Integer.MAX_VALUE || value < Integer.MIN_VALUE ? null : value.intValue();
    }
}
