package io.smarttag.hub.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the smart-tag result that VOD puts in Data. The format is loose in practice (see
 * vod-and-mns.md): Data is a JSON string holding JSON (or an object), Times are strings of
 * milliseconds (or numbers, or a string holding a JSON array), OrigASRData is an object or a
 * list. Categories we do not know are kept under their own name rather than dropped.
 */
public class DataParser {

    private static final String ASR = "OrigASRData";
    private static final Pattern DIGITS = Pattern.compile("-?\\d{1,18}");

    private final ObjectMapper json;

    public DataParser(ObjectMapper json) {
        this.json = json;
    }

    public DataParser() {
        this(new ObjectMapper());
    }

    public TagResult parse(JsonNode data) throws InvalidEventException {
        JsonNode document = document(data);
        if (document == null) {
            return TagResult.empty();
        }
        Map<String, List<TagItem>> categories = new LinkedHashMap<>();
        List<AsrSentence> asr = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = document.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (ASR.equals(field.getKey())) {
                readAsr(field.getValue(), asr);
            } else if (isTagList(field.getValue())) {
                categories.put(field.getKey(), readItems(field.getKey(), field.getValue()));
            }
        }
        return new TagResult(categories, asr);
    }

    /** The result document: the object itself, or the object a JSON string holds. */
    private JsonNode document(JsonNode data) throws InvalidEventException {
        if (data == null || data.isNull() || data.isMissingNode()) {
            return null;
        }
        JsonNode document = data;
        if (data.isTextual()) {
            try {
                document = json.readTree(data.textValue());
            } catch (JsonProcessingException e) {
                throw new InvalidEventException("Data must be a JSON object or a string holding one");
            }
        }
        if (document == null || !document.isObject()) {
            throw new InvalidEventException("Data must be a JSON object or a string holding one");
        }
        return document;
    }

    /** Arrays of objects are tag categories; other keys (Duration, flags, ...) carry no tags. */
    private static boolean isTagList(JsonNode value) {
        if (!value.isArray()) {
            return false;
        }
        for (JsonNode item : value) {
            if (!item.isObject()) {
                return false;
            }
        }
        return true;
    }

    private List<TagItem> readItems(String category, JsonNode list) throws InvalidEventException {
        List<TagItem> items = new ArrayList<>();
        int index = 0;
        for (JsonNode item : list) {
            JsonNode tag = item.get("Tag");
            if (tag == null || !tag.isTextual()) {
                throw new InvalidEventException(category + "[" + index + "] has no Tag text");
            }
            JsonNode face = item.get("FaceUrl");
            items.add(new TagItem(tag.textValue(), readTimes(category, index, item.get("Times")),
                    face != null && face.isTextual() ? face.textValue() : null));
            index++;
        }
        return items;
    }

    private List<Long> readTimes(String category, int index, JsonNode times) throws InvalidEventException {
        List<Long> result = new ArrayList<>();
        if (times == null || times.isNull()) {
            return result;
        }
        if (times.isTextual()) {
            times = unwrap(category, index, times.textValue());
        }
        if (!times.isArray()) {
            throw new InvalidEventException(category + "[" + index + "].Times must be a list of milliseconds");
        }
        for (JsonNode time : times) {
            if (time.isTextual() && time.textValue().trim().startsWith("[")) {
                for (JsonNode inner : unwrap(category, index, time.textValue())) {
                    result.add(millis(category, index, inner));
                }
            } else {
                result.add(millis(category, index, time));
            }
        }
        return result;
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

    private static long millis(String category, int index, JsonNode time) throws InvalidEventException {
        Long value = number(time);
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
        if (node.isTextual()) {
            String text = node.textValue().trim();
            if (DIGITS.matcher(text).matches()) {
                return Long.parseLong(text);
            }
        }
        return null;
    }

    private static void readAsr(JsonNode asrData, List<AsrSentence> out) throws InvalidEventException {
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
