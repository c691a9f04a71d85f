package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 hostile payloads derived from the seed sample (truncations, byte flips, wrong types,
 * huge strings, deep nesting, invalid UTF-8, duplicate keys, 10,000-tag events, empty and
 * non-object bodies): only 200/400/413 answers, never a 5xx or a stack trace, no partial rows,
 * and the hub is healthy afterwards.
 */
class HostileInputFuzzTest {

    private static final int PAYLOADS = 10_000;
    private static final String SEED = Samples.text(Samples.seed());

    @Test
    void tenThousandHostilePayloads() throws Exception {
        try (RunningHub hub = RunningHub.builder().start()) {
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> byKind = new ConcurrentHashMap<>();
            Set<String> leaks = ConcurrentHashMap.newKeySet();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            long start = System.nanoTime();
            try {
                List<Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < PAYLOADS; i++) {
                    byte[] payload = payload(i, new Random(1000L + i));
                    int kind = i % 12;
                    sent.add(pool.submit(() -> {
                        HttpResponse<String> response = hub.post(payload);
                        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        byKind.computeIfAbsent("kind" + kind + ":" + response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        String body = response.body();
                        if (body.contains("Exception") || body.contains("\tat ") || body.contains("at io.") || body.contains("at org.")) {
                            leaks.add(response.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sent) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            hub.awaitInboxSettled(Duration.ofSeconds(120));
            Map<Integer, Integer> summary = new TreeMap<>();
            statuses.forEach((status, n) -> summary.put(status, n.get()));
            long jobs = hub.count("SELECT COUNT(*) FROM smarttag_job");
            long partial = hub.count("SELECT COUNT(*) FROM smarttag_job j WHERE j.status = 'success' AND j.tag_count <> "
                    + "(SELECT COUNT(*) FROM smarttag_tag t WHERE t.job_id = j.job_id)");
            long orphans = hub.count("SELECT COUNT(*) FROM smarttag_tag t WHERE NOT EXISTS (SELECT 1 FROM smarttag_job j WHERE j.job_id = t.job_id)");
            long parked = hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'parked'");
            System.out.printf("fuzz: %d payloads in %d ms, answers %s, %d jobs stored, %d partial, %d orphan rows, %d parked, %d responses leaking internals%n",
                    PAYLOADS, ms, summary, jobs, partial, orphans, parked, leaks.size());
            System.out.println("fuzz answers by payload kind: " + new TreeMap<>(byKind));
            leaks.forEach(leak -> System.out.println("fuzz leak: " + leak));

            assertEquals(PAYLOADS, summary.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(Set.of(200, 400, 401, 413).containsAll(summary.keySet()), "unexpected statuses " + summary);
            assertTrue(leaks.isEmpty(), "responses with internals: " + leaks);
            assertEquals(0, partial);
            assertEquals(0, orphans);
            assertEquals(0, parked, "an accepted event could not be processed");
            assertEquals(200, hub.management("/observe/health").statusCode());
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "after-fuzz")).statusCode());
            assertEquals(44, hub.awaitCount(44, Duration.ofSeconds(20), "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'after-fuzz'"));
        }
    }

    /** One hostile payload; the kind rotates so every kind is well represented. */
    static byte[] payload(int i, Random random) {
        String jobId = "fuzz-" + i;
        String seed = SEED.replace("jd83k4184c0e47098a5b665e2aj3****", jobId);
        byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
        switch (i % 12) {
            case 0:
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1: {
                byte[] flipped = bytes.clone();
                for (int k = 0; k < 1 + random.nextInt(5); k++) {
                    flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
                }
                return flipped;
            }
            case 2: {
                String[] fields = {"EventType", "JobId", "Status", "Data", "MediaId", "EventTime", "Code", "Message"};
                String[] values = {"1", "true", "null", "[]", "{}", "[\"a\"]", "-1.5e300", "{\"x\":1}"};
                String field = fields[random.nextInt(fields.length)];
                return utf8(seed.replaceFirst("\"" + field + "\":(\"(\\\\.|[^\"\\\\])*\")", "\"" + field + "\":" + values[random.nextInt(values.length)]));
            }
            case 3:
                return utf8(seed.replace("\"Message\":\"OK\"", "\"Message\":\"" + "x".repeat(1_100_000) + "\""));
            case 4:
                return utf8("{\"EventType\":\"AIVideoTagComplete\",\"JobId\":\"" + jobId + "\",\"Status\":\"success\",\"Deep\":"
                        + "[".repeat(10_000) + "]".repeat(10_000) + "}");
            case 5: {
                byte[] invalid = bytes.clone();
                int at = seed.indexOf("Cushion");
                invalid[at] = (byte) 0xC3;
                invalid[at + 1] = (byte) 0x28;
                return invalid;
            }
            case 6:
                return utf8(seed.replace("\"Status\":\"success\"", "\"Status\":\"success\",\"Status\":\"fail\""));
            case 7:
                return i % 240 == 7 ? bigEvent(jobId) : utf8(seed.replace("\"Times\":[\"3260\"", "\"Times\":[\"" + random.nextInt() + "x\""));
            case 8:
                return new byte[0];
            case 9:
                return utf8(new String[] {"[]", "\"event\"", "42", "null", "true", "[" + seed + "]"}[random.nextInt(6)]);
            case 10:
                return utf8(seed.replace("\"Data\":\"{", "\"Data\":\"{\\\"Keyword\\\":" + "[".repeat(random.nextInt(200)) + "{"));
            default:
                // a valid, distinct event: the hub must keep processing real work among the garbage
                return bytes;
        }
    }

    private static byte[] bigEvent(String jobId) {
        StringBuilder data = new StringBuilder("{\"Keyword\":[");
        for (int t = 0; t < 10_000; t++) {
            data.append(t == 0 ? "" : ",").append("{\"Tag\":\"tag").append(t).append("\",\"Times\":[\"").append(t).append("\"]}");
        }
        data.append("]}");
        return Samples.with(Samples.seed(), "JobId", jobId, "Data", data.toString());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
