package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.archive.ArchiveTarget;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Payloads;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.StandardWebhooksVerifier;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * hub.destination.<name>.format: tags (one JSON document per event, docs/tags-document.schema.json)
 * and cloudevents (CloudEvents 1.0 structured JSON, written with the CloudEvents SDK), sent signed
 * over the bytes actually sent, with an id that does not change across retries.
 */
class PayloadFormatsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = "{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}}";

    private static JsonSchema schema() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("docs/tags-document.schema.json"))) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    private static JsonNode golden(String sample) throws Exception {
        return JSON.readTree(Samples.class.getResourceAsStream("/formats/" + sample + ".tags.json"));
    }

    /** The payload the Payloads bean renders for a sample in a format, archived in bucket vod-archive. */
    private static Payloads.Payload render(byte[] raw, String format) throws Exception {
        VodEvent event = JSON.readValue(raw, VodEvent.class);
        EventWork work = new EventWork("inbox-1", raw, OffsetDateTime.now(), 1, Map.of(), OffsetDateTime.now());
        work.setEvent(event);
        work.setArchiveKey(new ArchiveKeys("vod-events").keyFor(event));
        Payloads payloads = new Payloads(JSON, new ArchiveTarget("vod-archive", "unused"), true,
                "urn:smarttag-hub:vod", "com.aliyun.vod.");
        Destination destination = new Destination("out", "webhook", Set.of("success", "fail", "other"),
                key -> key.equals("hub.destination.out.format") ? format : null);
        return payloads.render(work, destination);
    }

    @Test
    void theTagsDocumentOfTheSeedAndOfTheAsrSampleEqualTheGoldenFilesAndTheSchema() throws Exception {
        JsonSchema schema = schema();
        for (String sample : List.of("success-seed", "success-asr")) {
            Payloads.Payload payload = render(Samples.bytes(sample + ".json"), "tags");
            assertEquals("application/json", payload.contentType());
            JsonNode document = JSON.readTree(payload.body());
            assertEquals(golden(sample), document, sample + ": " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
            Set<ValidationMessage> errors = schema.validate(document);
            assertTrue(errors.isEmpty(), sample + ": " + errors);
        }
        JsonNode seed = golden("success-seed");
        assertEquals(14, seed.path("tags").size(), "12 keywords, 1 person, 1 location");
        int occurrences = 0;
        for (JsonNode tag : seed.path("tags")) {
            occurrences += tag.path("times").size();
        }
        assertEquals(44, occurrences, "as many times as the database has tag rows");
        assertEquals(2, golden("success-asr").path("asr").size());

        // the schema is not a formality: times as VOD's strings, or a missing field, are refused
        ObjectNode stringTimes = seed.deepCopy();
        ((ObjectNode) stringTimes.path("tags").get(0)).putArray("times").add("3260");
        assertFalse(schema.validate(stringTimes).isEmpty());
        ObjectNode noMedia = seed.deepCopy();
        noMedia.remove("MediaId");
        assertFalse(schema.validate(noMedia).isEmpty());
    }

    @Test
    void aFailedJobHasATagsDocumentWithoutTags() throws Exception {
        JsonNode document = JSON.readTree(render(Samples.fail(), "tags").body());
        assertEquals("InternalError", document.path("Code").asText());
        assertEquals(0, document.path("tags").size());
        assertTrue(schema().validate(document).isEmpty(), document.toString());
    }

    /** What a Kafka route (the kamelet destination) gets from payloads.applyKafka: the binding's structured mode. */
    @Test
    void onKafkaACloudEventCarriesTheBindingsContentTypeAndItsAttributesAsCeHeaders() throws Exception {
        byte[] raw = Samples.seed();
        VodEvent event = JSON.readValue(raw, VodEvent.class);
        EventWork work = new EventWork("inbox-1", raw, OffsetDateTime.now(), 1, Map.of(), OffsetDateTime.now());
        work.setEvent(event);
        Payloads payloads = new Payloads(JSON, new ArchiveTarget("b", "d"), false, "urn:smarttag-hub:vod", "com.aliyun.vod.");
        try (org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
            exchange.getMessage().setHeader("Content-Type", "application/json");
            Destination kafka = new Destination("bus", "kamelet", Set.of("success"),
                    key -> key.equals("hub.destination.bus.format") ? "cloudevents" : null);
            payloads.applyKafka(work, kafka, exchange);
            Map<String, Object> headers = new java.util.TreeMap<>(exchange.getMessage().getHeaders());
            assertTrue(headers.containsKey("content-type") && !headers.containsKey("Content-Type"), headers.toString());
            assertEquals("application/cloudevents+json; charset=UTF-8", headers.get("content-type"));
            assertEquals("1.0", headers.get("ce_specversion"));
            assertEquals(Payloads.cloudEventId(event), headers.get("ce_id"));
            assertEquals("urn:smarttag-hub:vod", headers.get("ce_source"));
            assertEquals("com.aliyun.vod.AIVideoTagComplete", headers.get("ce_type"));
            assertEquals(event.getMediaId(), headers.get("ce_subject"));
            assertEquals("2017-03-20T07:49:17Z", headers.get("ce_time"));
            CloudEvent parsed = new JsonFormat().deserialize(exchange.getMessage().getBody(byte[].class));
            assertEquals(headers.get("ce_id"), parsed.getId());

            Destination raw2 = new Destination("raw", "kamelet", Set.of("success"), key -> null);
            org.apache.camel.Exchange plain = new org.apache.camel.support.DefaultExchange(camel);
            payloads.applyKafka(work, raw2, plain);
            assertArrayEquals(raw, plain.getMessage().getBody(byte[].class));
            assertEquals("application/json", plain.getMessage().getHeader("content-type"));
            assertTrue(plain.getMessage().getHeaders().keySet().stream().noneMatch(h -> h.startsWith("ce_")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void cloudEventsToAWebhookParseWithTheSdkKeepTheirIdOnARetryAndAreSignedAsSent(String database) throws Exception {
        String secret = WebhookDestinationTest.newSecret();
        String jobId = "ce-" + database;
        byte[] seed = Samples.with(Samples.seed(), "JobId", jobId);
        try (WebhookReceiver receiver = new WebhookReceiver().respondWith(500)) {
            RunningHub.Builder builder = RunningHub.builder();
            if ("postgres".equals(database)) {
                builder.onPostgres();
            }
            try (RunningHub hub = builder
                    .property("hub.destinations", "database,archive,bus")
                    .property("hub.destination.bus.type", "webhook")
                    .property("hub.destination.bus.url", receiver.url("/events"))
                    .property("hub.destination.bus.format", "cloudevents")
                    .property("hub.destination.bus.secret", secret)
                    .property("hub.retry.initial-delay-ms", "300")
                    .property("hub.retry.max-delay-ms", "1000")
                    .property("hub.retry.max-attempts", "50")
                    .property("hub.sweep.interval-ms", "200")
                    .start()) {
                assertEquals(200, hub.post(seed).statusCode());
                hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                        + " WHERE i.job_id = ? AND d.destination = 'bus' AND d.attempts >= 2", jobId);
                receiver.respondWith(200);
                WebhookDestinationTest.awaitDelivery(hub, jobId, "bus", "done");

                List<WebhookReceiver.Request> requests = receiver.requests();
                assertTrue(requests.size() >= 3, "two failures and the delivery: " + requests.size());
                EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
                String firstId = null;
                for (WebhookReceiver.Request request : requests) {
                    assertEquals("application/cloudevents+json", WebhookDestinationTest.mediaType(request.header("Content-Type")));
                    CloudEvent event = format.deserialize(request.body());
                    firstId = firstId == null ? event.getId() : firstId;
                    assertEquals(firstId, event.getId(), "the same id on every attempt");
                    assertEquals("1.0", event.getSpecVersion().toString());
                    assertEquals("urn:smarttag-hub:vod", event.getSource().toString());
                    assertEquals("com.aliyun.vod.AIVideoTagComplete", event.getType());
                    assertEquals(Samples.field(seed, "MediaId"), event.getSubject());
                    assertEquals(OffsetDateTime.parse("2017-03-20T07:49:17Z"), event.getTime());
                    assertEquals("application/json", event.getDataContentType());
                    JsonNode data = JSON.readTree(event.getData().toBytes());
                    assertEquals(jobId, data.path("JobId").asText());
                    assertEquals("Sam", data.path("Data").path("Person").path(0).path("Tag").asText(), "Data is parsed");
                    assertEquals(10760, data.path("Data").path("Person").path(0).path("Times").path(0).asLong());
                    assertTrue(StandardWebhooksVerifier.verify(secret, request.headers(), request.body(), 300),
                            () -> "the signature covers the CloudEvent sent: " + request.headers());
                }
                assertEquals(Payloads.cloudEventId(JSON.readValue(seed, VodEvent.class)), firstId,
                        "derived from EventType|JobId|Status, which a backfill from the archive reproduces");
                assertEquals(1, requests.stream().map(r -> r.header("webhook-id")).distinct().count());
                assertEquals("done", hub.deliveryState(jobId, "database"));
            }
        }
    }

    /**
     * The worked example of docs/destinations.md (filters and formats), with environment variables alone: face events to one team's endpoint as
     * CloudEvents, one tags document per video to a search indexer.
     */
    @Test
    void faceEventsAsCloudEventsToOneTeamAndOneDocumentPerVideoToAnIndexerWithPropertiesAlone(@TempDir Path home) throws Exception {
        String secret = WebhookDestinationTest.newSecret();
        try (WebhookReceiver faces = new WebhookReceiver(); WebhookReceiver indexer = new WebhookReceiver()) {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("hub.destinations", "database,archive,faces,search");
            env.put("hub.destination.faces.type", "webhook");
            env.put("hub.destination.faces.url", faces.url("/faces"));
            env.put("hub.destination.faces.filter", PERSON);
            env.put("hub.destination.faces.format", "cloudevents");
            env.put("hub.destination.faces.secret", secret);
            env.put("hub.destination.search.type", "webhook");
            env.put("hub.destination.search.url", indexer.url("/docs"));
            env.put("hub.destination.search.format", "tags");
            env.put("hub.destination.search.when", "success");
            byte[] seed = Samples.seed();
            byte[] noFaces = Samples.successWithData("no-faces", "{\"Keyword\":[{\"Times\":[\"900\"],\"Tag\":\"Skin\"}]}");
            try (HubProcess hub = HubProcess.start(home, env)) {
                assertEquals(200, hub.post(seed).statusCode());
                assertEquals(200, hub.post(noFaces).statusCode());
                List<WebhookReceiver.Request> documents = indexer.awaitRequests(2, WAIT);
                faces.awaitRequests(1, WAIT);
                Thread.sleep(1000);

                assertEquals(1, faces.requests().size(), "only the event with a face");
                WebhookReceiver.Request face = faces.requests().get(0);
                CloudEvent event = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).deserialize(face.body());
                assertEquals(Samples.seedJobId(), JSON.readTree(event.getData().toBytes()).path("JobId").asText());
                assertTrue(StandardWebhooksVerifier.verify(secret, face.headers(), face.body(), 300));

                assertEquals(2, indexer.requests().size());
                for (WebhookReceiver.Request request : documents) {
                    ObjectNode document = (ObjectNode) JSON.readTree(request.body());
                    assertTrue(schema().validate(document).isEmpty());
                    if (document.path("JobId").asText().equals(Samples.seedJobId())) {
                        Path archived = Path.of(document.path("archive").path("location").asText());
                        assertArrayEquals(seed, Files.readAllBytes(archived), "the document says where the raw event is");
                        ObjectNode expected = (ObjectNode) golden("success-seed");
                        ((ObjectNode) expected.path("archive")).put("location", archived.toString());
                        assertEquals(expected, document);
                    } else {
                        assertEquals("Skin", document.path("tags").path(0).path("tag").asText());
                    }
                }
            }
        }
    }
}
