package io.smarttag.hub.bench;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What one kafka-sink delivery costs the hub in CPU: the hub runs as its own process (the broker stays
 * in this JVM, so its work is not counted), once with the archive destination alone and once with
 * archive plus a kafka-sink destination; the same events are posted to both, and the difference of
 * the hub process's CPU time, per event, is the Kafka delivery's cost. Runs alternate, twice each.
 * Not a test (no assertion, timing only): run by hand, see docs/destinations.md.
 *
 * <p>java -cp target/classes:target/test-classes:$(cat cp.txt) io.smarttag.hub.bench.KafkaDeliveryCost [events] [warmup]
 */
public final class KafkaDeliveryCost {

    private static final Pattern OK = Pattern.compile("smarttag_deliveries_total\\{destination=\"(\\w+)\",outcome=\"ok\"[^}]*} ([0-9.E]+)");

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        try (KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build()) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("cost", 3, (short) 1))).all().get();
            }
            for (int run = 0; run < 4; run++) {
                boolean withKafka = run % 2 == 1;
                double perEvent = run(kafka.bootstrapServers(), withKafka, events, warmup);
                System.out.printf("RESULT run %d %-16s %d events: %.3f ms CPU of the hub per event%n", run + 1,
                        withKafka ? "archive+kafka" : "archive", events, perEvent);
            }
        }
    }

    private static double run(String bootstrap, boolean withKafka, int events, int warmup) throws Exception {
        Path home = Files.createTempDirectory("kafka-cost");
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("hub.destinations", withKafka ? "archive,stream" : "archive");
        if (withKafka) {
            properties.put("hub.destination.stream.type", "kamelet");
            properties.put("hub.destination.stream.kamelet", "kafka-sink");
            properties.put("hub.destination.stream.topic", "cost");
            properties.put("hub.destination.stream.bootstrapServers", bootstrap);
        }
        try (HubProcess hub = HubProcess.start(home, properties, "-Xmx512m")) {
            hub.awaitHealthy(Duration.ofSeconds(60));
            post(hub, "warm", warmup);
            await(hub, withKafka, warmup);
            Duration before = ProcessHandle.of(hub.pid()).orElseThrow().info().totalCpuDuration().orElseThrow();
            post(hub, "cost", events);
            await(hub, withKafka, warmup + events);
            Duration after = ProcessHandle.of(hub.pid()).orElseThrow().info().totalCpuDuration().orElseThrow();
            return after.minus(before).toNanos() / 1e6 / events;
        }
    }

    private static void post(HubProcess hub, String prefix, int events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < events; i++) {
                byte[] event = Samples.with(Samples.seed(), "JobId", prefix + "-" + i);
                answers.add(pool.submit(() -> hub.post(event).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                if (answer.get() != 200) {
                    throw new IllegalStateException("answered " + answer.get());
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Until the archive (and the stream) delivered this many events, by the hub's own counters. */
    private static void await(HubProcess hub, boolean withKafka, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Double> ok = new LinkedHashMap<>();
            Matcher m = OK.matcher(hub.management("/observe/metrics").body());
            while (m.find()) {
                ok.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            if (ok.getOrDefault("archive", 0.0) >= expected && (!withKafka || ok.getOrDefault("stream", 0.0) >= expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not delivered in time");
    }

    private KafkaDeliveryCost() {
    }
}
