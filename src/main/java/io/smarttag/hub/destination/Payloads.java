package io.smarttag.hub.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;
import io.smarttag.hub.archive.ArchiveTarget;
import io.smarttag.hub.event.EventTimes;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.event.TagsDocument;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;

/**
 * What a destination sends for an event, by its {@code format}:
 * <ul>
 * <li>{@code raw}: the event byte for byte as received (application/json);</li>
 * <li>{@code tags}: one JSON document per event ({@link TagsDocument}, docs/tags-document.schema.json);</li>
 * <li>{@code cloudevents}: a CloudEvents 1.0 event in structured JSON mode, built and written with the
 *     CloudEvents Java SDK, whose data is the event's view (Data parsed, {@link EventView});</li>
 * <li>{@code cloudevents-tags}: the same envelope around the tags document.</li>
 * </ul>
 * Destination routes call {@link #apply} (HTTP) or {@link #applyKafka} (Kafka and other message
 * brokers) as a step; both leave the bytes to send as the body, so a signature computed after them
 * covers what is sent.
 *
 * <p>The CloudEvent id is derived from what makes the event unique to the inbox (EventType|JobId|Status,
 * {@link VodEvent#dedupKey}): the same on every retry, on every instance, after a replay, and for a
 * backfill from the archive, which has the event's bytes but not its inbox id.
 */
public class Payloads {

    public static final String RAW = "raw";
    public static final String TAGS = "tags";
    public static final String CLOUDEVENTS = "cloudevents";
    public static final String CLOUDEVENTS_TAGS = "cloudevents-tags";
    public static final List<String> FORMATS = List.of(RAW, TAGS, CLOUDEVENTS, CLOUDEVENTS_TAGS);

    static final String JSON_TYPE = "application/json";
    static final String KAFKA_CONTENT_TYPE = "content-type";
    static final String CLOUDEVENTS_TYPE = JsonFormat.CONTENT_TYPE + "; charset=UTF-8";

    /** The bytes to send, their content type, and (for a CloudEvent) its context attributes by name. */
    public record Payload(byte[] body, String contentType, Map<String, String> attributes) {
    }

    private final ObjectMapper json;
    private final TagsDocument tags;
    private final EventView views;
    private final JsonFormat cloudEventJson = new JsonFormat();
    private final ArchiveTarget archive;
    private final boolean archived;
    private final URI source;
    private final String typePrefix;

    /**
     * archive: where the default archive keeps an event (the tags document says so when archived, i.e.
     * when some destination is of type archive); source, typePrefix: hub.cloudevents.source and
     * hub.cloudevents.type-prefix.
     */
    public Payloads(ObjectMapper json, ArchiveTarget archive, boolean archived, String source, String typePrefix) {
        this.json = json;
        this.tags = new TagsDocument(json);
        this.views = new EventView(json);
        this.archive = archive;
        this.archived = archived;
        this.source = URI.create(source);
        this.typePrefix = typePrefix;
    }

    /** The payload of this event for this destination, in its format. */
    public Payload render(EventWork work, Destination destination) throws Exception {
        return switch (destination.format()) {
            case RAW -> new Payload(work.getRaw(), JSON_TYPE, Map.of());
            case TAGS -> new Payload(bytes(tagsDocument(work)), JSON_TYPE, Map.of());
            case CLOUDEVENTS -> cloudEvent(work, work.view(views), "");
            case CLOUDEVENTS_TAGS -> cloudEvent(work, tagsDocument(work), ".tags");
            default -> throw new IllegalStateException("unknown format " + destination.format());
        };
    }

    /** HTTP step: the body becomes the payload, Content-Type its media type. */
    public void apply(@Variable("work") EventWork work, @Variable("destination") Destination destination, Exchange exchange)
            throws Exception {
        Payload payload = render(work, destination);
        Message message = exchange.getMessage();
        message.setBody(payload.body());
        message.setHeader(Exchange.CONTENT_TYPE, payload.contentType());
    }

    /**
     * Kafka step (the CloudEvents Kafka protocol binding, structured mode): the body becomes the
     * payload and the record header {@code content-type} its media type; a CloudEvent also gets its
     * attributes as {@code ce_<name>} headers (UTF-8 strings), which the binding allows beside a
     * structured event, so consumers can route on them without reading the value.
     */
    public void applyKafka(@Variable("work") EventWork work, @Variable("destination") Destination destination, Exchange exchange)
            throws Exception {
        Payload payload = render(work, destination);
        Message message = exchange.getMessage();
        message.setBody(payload.body());
        // Kafka header names are case-sensitive and the binding names "content-type"; Camel's header map
        // is not, and would keep an earlier "Content-Type" spelling for the new value
        message.removeHeader(Exchange.CONTENT_TYPE);
        message.setHeader(KAFKA_CONTENT_TYPE, payload.contentType());
        payload.attributes().forEach((name, value) -> message.setHeader("ce_" + name, value));
    }

    private JsonNode tagsDocument(EventWork work) throws Exception {
        String key = archived ? work.getArchiveKey() : null;
        return tags.of(work.getEvent(), key, key == null ? null : archive.location(key));
    }

    private Payload cloudEvent(EventWork work, JsonNode data, String typeSuffix) {
        VodEvent event = work.getEvent();
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(cloudEventId(event))
                .withSource(source)
                .withType(typePrefix + event.getEventType() + typeSuffix)
                .withDataContentType(JSON_TYPE)
                .withData(JsonCloudEventData.wrap(data));
        if (event.getMediaId() != null && !event.getMediaId().isEmpty()) {
            builder.withSubject(event.getMediaId());
        }
        OffsetDateTime time = EventTimes.parseUtc(event.getEventTime());
        if (time != null) {
            builder.withTime(time);
        }
        CloudEvent cloudEvent = builder.build();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String name : cloudEvent.getAttributeNames()) {
            Object value = cloudEvent.getAttribute(name);
            if (value != null && !name.equals("datacontenttype")) {
                attributes.put(name, String.valueOf(value));
            }
        }
        return new Payload(cloudEventJson.serialize(cloudEvent), CLOUDEVENTS_TYPE, attributes);
    }

    /**
     * The event's id (EventIds): stable wherever and whenever the event is sent, and equal to the
     * inbox id and the webhook-id of the same event, so receivers deduplicate on one value.
     */
    public static String cloudEventId(VodEvent event) {
        return io.smarttag.hub.inbox.EventIds.of(event.getEventType(), event.getJobId(), event.getStatus());
    }

    private byte[] bytes(JsonNode node) throws Exception {
        return json.writeValueAsBytes(node);
    }
}
