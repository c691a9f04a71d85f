package io.smarttag.hub.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.event.VodEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Archived events as the archive destination leaves them: the raw event under the key the hub's own
 * {@link ArchiveKeys} gives it (prefix/yyyy/MM/dd/MediaId/JobId-Status.json), in a folder or an S3
 * bucket, for backfill tests and the benchmark.
 */
public final class ArchiveSeed {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveSeed() {
    }

    /**
     * n seed events (44 tag rows each), JobIds prefix-0..n-1, EventTimes spread over days from
     * firstDay; every failEvery-th one a failed job (0: none). Keyed by archive key, in key order.
     */
    public static Map<String, byte[]> events(String jobPrefix, int n, LocalDate firstDay, int days, int failEvery, String prefix) {
        ArchiveKeys keys = new ArchiveKeys(prefix);
        Map<String, byte[]> events = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            String time = firstDay.plusDays(i % days) + "T10:" + String.format("%02d:%02dZ", (i / 60) % 60, i % 60);
            boolean fail = failEvery > 0 && i % failEvery == failEvery - 1;
            byte[] event = Samples.with(fail ? Samples.fail() : Samples.seed(), "JobId", jobPrefix + i, "MediaId", "media-" + (i % 37),
                    "EventTime", time);
            events.put(keys.keyFor(parse(event)), event);
        }
        return events;
    }

    public static VodEvent parse(byte[] event) {
        try {
            return JSON.readValue(event, VodEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void toFiles(Path archiveDir, Map<String, byte[]> events) throws IOException {
        for (var entry : events.entrySet()) {
            Path file = archiveDir.resolve(entry.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue());
        }
    }

    public static void toS3(S3Client s3, String bucket, Map<String, byte[]> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (var entry : new LinkedHashMap<>(events).entrySet()) {
                puts.add(pool.submit(() -> s3.putObject(b -> b.bucket(bucket).key(entry.getKey()).contentType("application/json"),
                        RequestBody.fromBytes(entry.getValue()))));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
