package io.smarttag.hub.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.CharConversionException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides at accept time whether a body is an event the hub can process, so that a bad one is
 * answered 400 and quarantined instead of failing later. Jackson's read limits are set on
 * purpose: hostile input (deep nesting, huge strings, duplicate keys) is rejected, never a 5xx.
 */
public class EventValidator {

    /** Read limits for incoming JSON. */
    public record EventLimits(int maxNestingDepth, int maxStringLength, long maxDocumentLength) {
        /** Depth 64, strings up to 1 MiB characters, documents up to 16 MiB (the HTTP limit is lower). */
        public static EventLimits defaults() {
            return new EventLimits(64, 1_048_576, 16_777_216L);
        }
    }

    private static final Set<String> STATUSES = Set.of("success", "fail");
    /**
     * The widths of the stored columns (V1__inbox_and_tag_tables.sql): a value that would not fit
     * is refused here, with a 400 the sender can read, instead of failing the database write later.
     */
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_MESSAGE_LENGTH = 2000;

    private final EventLimits limits;
    private final ObjectMapper json;
    private final DataParser dataParser;

    public EventValidator() {
        this(EventLimits.defaults());
    }

    public EventValidator(EventLimits limits) {
        this.limits = limits;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength(limits.maxStringLength())
                        .maxDocumentLength(limits.maxDocumentLength())
                        .build())
                .build();
        this.json = new ObjectMapper(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.dataParser = new DataParser(json);
    }

    public VodEvent validate(byte[] body) throws InvalidEventException {
        if (body == null || body.length == 0) {
            throw new InvalidEventException("empty body");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (Exception e) {
            // Jackson's message may quote the input: say what is wrong, not what was sent.
            throw new InvalidEventException("body is not valid JSON (" + whatIsWrong(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("event must be a JSON object");
        }
        VodEvent event = new VodEvent();
        event.setEventType(requiredText(root, "EventType"));
        event.setJobId(requiredText(root, "JobId"));
        event.setStatus(requiredText(root, "Status"));
        event.setMediaId(optionalText(root, "MediaId"));
        event.setEventTime(optionalText(root, "EventTime"));
        event.setCode(optionalText(root, "Code"));
        event.setMessage(optionalText(root, "Message"));
        event.setData(root.get("Data"));
        checkText("EventType", event.getEventType(), MAX_ID_LENGTH);
        checkText("JobId", event.getJobId(), MAX_ID_LENGTH);
        checkText("MediaId", event.getMediaId(), MAX_ID_LENGTH);
        checkText("Code", event.getCode(), MAX_ID_LENGTH);
        checkText("Message", event.getMessage(), MAX_MESSAGE_LENGTH);
        if (!STATUSES.contains(event.getStatus())) {
            throw new InvalidEventException("Status must be 'success' or 'fail', got '" + printable(event.getStatus()) + "'");
        }
        if (event.isTagEvent() && "success".equals(event.getStatus())) {
            JsonNode data = event.getData();
            if (data == null || !(data.isTextual() || data.isObject())) {
                throw new InvalidEventException("Data must be a JSON object or a string holding one");
            }
            TagResult result;
            try {
                result = dataParser.parse(data);
            } catch (InvalidEventException e) {
                throw e;
            } catch (Exception e) {
                throw new InvalidEventException("Data is not a readable smart-tag result (" + whatIsWrong(e) + ")");
            }
            checkRows(result);
            event.keepParsedData(result); // processing reads it when the event is handed over in memory
        }
        return event;
    }

    /** Every value of Data that becomes a column: category names fit theirs, no text holds a NUL. */
    private static void checkRows(TagResult result) throws InvalidEventException {
        for (Map.Entry<String, List<TagItem>> category : result.categories().entrySet()) {
            checkText("Data category name", category.getKey(), MAX_ID_LENGTH);
            for (TagItem item : category.getValue()) {
                // the field's name (with the category, cleaned by a regex) is built only for a reason
                if (!fits(item.tag(), Integer.MAX_VALUE)) {
                    checkText("Data " + printable(category.getKey()) + " Tag", item.tag(), Integer.MAX_VALUE);
                }
                if (!fits(item.faceUrl(), Integer.MAX_VALUE)) {
                    checkText("Data " + printable(category.getKey()) + " FaceUrl", item.faceUrl(), Integer.MAX_VALUE);
                }
            }
        }
        for (AsrSentence sentence : result.asr()) {
            checkText("Data OrigASRData Text", sentence.text(), Integer.MAX_VALUE);
        }
    }

    private static String requiredText(JsonNode root, String field) throws InvalidEventException {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidEventException("missing field " + field);
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new InvalidEventException("field " + field + " must be a non-empty string");
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode root, String field) throws InvalidEventException {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new InvalidEventException("field " + field + " must be a string");
        }
        return value.asText();
    }

    /**
     * A value that is stored as text: at most maxLength characters (the column's width), and no
     * NUL character, which PostgreSQL refuses in text columns.
     */
    private static void checkText(String field, String value, int maxLength) throws InvalidEventException {
        if (fits(value, maxLength)) {
            return;
        }
        if (value.length() > maxLength) {
            throw new InvalidEventException("field " + field + " is longer than " + maxLength + " characters");
        }
        if (value.indexOf(0) >= 0) {
            throw new InvalidEventException("field " + field + " holds a NUL character");
        }
    }

    /** What checkText lets pass: no value, or one of at most maxLength characters without a NUL. */
    private static boolean fits(String value, int maxLength) {
        return value == null || (value.length() <= maxLength && value.indexOf(0) < 0);
    }

    /** What is wrong with unreadable JSON, in words a sender can act on (no class names, no input echoed). */
    private String whatIsWrong(Exception e) {
        if (e instanceof StreamConstraintsException) {
            return "exceeds a read limit: nesting deeper than " + limits.maxNestingDepth() + ", a string over "
                    + limits.maxStringLength() + " characters or a document over " + limits.maxDocumentLength() + " bytes";
        }
        if (e instanceof JsonEOFException) {
            return "unexpected end of input";
        }
        if (e instanceof CharConversionException
                || (e instanceof JsonParseException && String.valueOf(e.getMessage()).startsWith("Invalid UTF-8"))) {
            return "invalid UTF-8";
        }
        if (e instanceof JsonParseException && e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
            return "duplicate field";
        }
        if (e instanceof JsonParseException) {
            return "malformed JSON";
        }
        if (e instanceof MismatchedInputException) {
            return "a value has the wrong type";
        }
        return "unreadable";
    }

    /** A value quoted in a reason: short, and without control characters. */
    private static String printable(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", "");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
