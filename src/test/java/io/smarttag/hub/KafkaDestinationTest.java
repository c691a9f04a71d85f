package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A kafka-sink destination (type kamelet) to a real KRaft broker in this JVM: every event arrives once,
 * keyed by its JobId, with the headers a consumer deduplicates and routes on; a broker that is down
 * for 20 s delays the events and loses none, and the other destinations go on meanwhile.
 */
class KafkaDestinationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 3;
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        // a fixed port for the broker's listener, so that a restarted broker is where the producer looks
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("listeners", "EXTERNAL://localhost:" + TestServers.freePort() + ",CONTROLLER://localhost:0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
    }

    private static RunningHub.Builder hub(String database, String topic) {
        RunningHub.Builder builder = RunningHub.builder();
        if ("postgres".equals(database)) {
            builder.onPostgres();
        }
        return builder
                .property("hub.destinations", "database,archive,alert,stream")
                .property("hub.destination.stream.type", "kamelet")
                .property("hub.destination.stream.kamelet", "kafka-sink")
                .property("hub.destination.stream.topic", topic)
                .property("hub.destination.stream.bootstrapServers", kafka.bootstrapServers())
                .property("hub.retry.initial-delay-ms", "500")
                .property("hub.retry.max-delay-ms", "4000");
    }

    /** Reads the topic from its start until expected records came (or WAIT passed); a consumer without group. */
    private static List<ConsumerRecord<String, byte[]>> readTopic(String topic, int expected) {
        Properties config = new Properties();
        config.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // anything beyond the expected (a duplicate) would show up within a further poll
            consumer.poll(Duration.ofSeconds(2)).forEach(records::add);
        }
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void everyEventArrivesOnceKeyedByItsJobIdWithItsHeaders(String database) throws Exception {
        String topic = "vod-events-" + database;
        createTopic(topic);
        int events = 200;
        try (RunningHub hub = hub(database, topic).start()) {
            for (int i = 0; i < events; i++) {
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "kafka-" + i)).statusCode());
            }
            assertEquals(events, hub.awaitCount(events, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'stream' AND state = 'done'"));
            Map<String, String> inboxIds = new HashMap<>();
            for (Map<String, Object> row : hub.query("SELECT id, job_id FROM smarttag_inbox")) {
                inboxIds.put((String) row.get("job_id"), (String) row.get("id"));
            }
            List<ConsumerRecord<String, byte[]>> records = readTopic(topic, events);
            assertEquals(events, records.size(), "each event once");
            Map<String, Integer> partitionOfJob = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                String job = Samples.field(record.value(), "JobId");
                assertEquals(job, record.key(), "the record key is the JobId");
                assertEquals(job, header(record, "smarttag-job-id"));
                assertEquals(inboxIds.get(job), header(record, "smarttag-inbox-id"));
                assertEquals("AIVideoTagComplete", header(record, "smarttag-event-type"));
                assertEquals("success", header(record, "smarttag-status"));
                assertEquals(Samples.field(record.value(), "MediaId"), header(record, "smarttag-media-id"));
                assertEquals(Samples.text(Samples.with(Samples.seed(), "JobId", job)), Samples.text(record.value()), "the raw event");
                partitionOfJob.put(job, record.partition());
            }
            assertEquals(events, partitionOfJob.size());
            assertTrue(Set.copyOf(partitionOfJob.values()).size() > 1, "keys spread over the partitions");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBrokerDownFor20SecondsDelaysEventsLosesNoneAndHoldsBackNoOtherDestination(String database) throws Exception {
        String topic = "vod-outage-" + database;
        createTopic(topic);
        BrokerServer broker = kafka.brokers().values().iterator().next();
        int before = 20;
        int during = 40;
        try (RunningHub hub = hub(database, topic).start()) {
            for (int i = 0; i < before; i++) {
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "outage-" + i)).statusCode());
            }
            broker.shutdown();
            broker.awaitShutdown();
            long down = System.nanoTime();
            try {
                // under load: events keep coming while the broker is away
                for (int i = before; i < before + during; i++) {
                    assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "outage-" + i)).statusCode());
                    Thread.sleep(300);
                }
                long databaseDone = hub.awaitCount(before + during, Duration.ofSeconds(5),
                        "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'database' AND state = 'done'");
                long tagRows = hub.count("SELECT COUNT(*) FROM smarttag_tag");
                long streamDone = hub.deliveries("stream", "done");
                System.out.printf("Kafka broker down for %d s so far (20 s in all): %d events accepted, database done for %d (%d tag rows), stream done for %d%n",
                        (System.nanoTime() - down) / 1_000_000_000L, before + during, databaseDone, tagRows, streamDone);
                assertEquals(before + during, databaseDone, "the database destination did not wait for Kafka");
                assertEquals((before + during) * 44L, tagRows);
                while (System.nanoTime() - down < Duration.ofSeconds(20).toNanos()) {
                    Thread.sleep(100);
                }
            } finally {
                broker.startup();
            }
            int events = before + during;
            assertEquals(events, hub.awaitCount(events, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'stream' AND state = 'done'"));
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE state = 'parked'"), "nothing parked");
            List<ConsumerRecord<String, byte[]>> records = readTopic(topic, events);
            Map<String, Integer> copies = new ConcurrentHashMap<>();
            records.forEach(r -> copies.merge(r.key(), 1, Integer::sum));
            System.out.printf("Kafka back: %d of %d events on the topic, %d records (%d duplicates)%n",
                    copies.size(), events, records.size(), records.size() - copies.size());
            assertEquals(events, copies.size(), "every event arrived");
            for (int i = 0; i < events; i++) {
                assertTrue(copies.containsKey("outage-" + i), "outage-" + i);
            }
            assertEquals(events, records.size(), "the idempotent producer's resends wrote no duplicate");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void formatCloudEventsSendsStructuredCloudEventsWithTheKafkaBinding(String database) throws Exception {
        String topic = "vod-cloudevents-" + database;
        createTopic(topic);
        try (RunningHub hub = hub(database, topic).property("hub.destination.stream.format", "cloudevents").start()) {
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "ce-seed")).statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.fail(), "JobId", "ce-fail")).statusCode());
            assertEquals(2, hub.awaitCount(2, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'stream' AND state = 'done'"));
            Map<String, String> inboxIds = new HashMap<>();
            for (Map<String, Object> row : hub.query("SELECT id, job_id FROM smarttag_inbox")) {
                inboxIds.put((String) row.get("job_id"), (String) row.get("id"));
            }
            List<ConsumerRecord<String, byte[]>> records = readTopic(topic, 2);
            assertEquals(2, records.size());
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            io.cloudevents.core.format.EventFormat format = io.cloudevents.core.provider.EventFormatProvider.getInstance()
                    .resolveFormat(io.cloudevents.jackson.JsonFormat.CONTENT_TYPE);
            for (ConsumerRecord<String, byte[]> record : records) {
                io.cloudevents.CloudEvent cloudEvent = format.deserialize(record.value()); // the SDK reads it
                com.fasterxml.jackson.databind.JsonNode data = json.readTree(cloudEvent.getData().toBytes());
                String job = data.path("JobId").asText();
                assertEquals(record.key(), job, "the key is still the JobId");
                assertEquals(io.cloudevents.SpecVersion.V1, cloudEvent.getSpecVersion());
                assertEquals(inboxIds.get(job), cloudEvent.getId(), "the CloudEvent id is the event's inbox id");
                assertEquals("com.aliyun.vod.AIVideoTagComplete", cloudEvent.getType());
                assertEquals("application/cloudevents+json; charset=UTF-8", header(record, "content-type"));
                assertEquals(null, header(record, "Content-Type"), "one media type header, in the binding's spelling");
                assertEquals(inboxIds.get(job), header(record, "ce_id"));
                assertEquals(inboxIds.get(job), header(record, "smarttag-inbox-id"));
                assertEquals(job.equals("ce-seed") ? "success" : "fail", data.path("Status").asText());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBrokerNameThatDoesNotResolveDelaysTheDestinationNotTheHub(String database) throws Exception {
        try (RunningHub hub = hub(database, "vod-nowhere")
                .property("hub.destination.stream.bootstrapServers", "kafka.smarttag-test.invalid:9092").start()) {
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "nowhere-1")).statusCode(), "the hub started and accepts");
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'database' AND state = 'done'"));
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'stream'"
                    + " AND state = 'pending' AND attempts >= 1 AND last_error LIKE '%bootstrap%'"), "a failed attempt, retried");
            assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_delivery WHERE destination = 'stream' AND state = 'done'"));
        }
    }
}
