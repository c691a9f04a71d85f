package io.smarttag.hub.lifecycle;

import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.destination.Destination;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads an archive destination the way the archive route writes it: keys
 * {@code <prefix>/<yyyy>/<MM>/<dd>/...}, listed one day (one prefix) at a time in key order, from S3
 * (ListObjectsV2 with StartAfter, the archive's own client) or from the file archive's folders.
 * Keys sort by day, so the last key handled is a cursor over the whole date range.
 */
public abstract class ArchiveReader {

    protected final ArchiveKeys keys;

    ArchiveReader(ArchiveKeys keys) {
        this.keys = keys;
    }

    /** The reader of an archive destination: S3 with a bucket (its client s3Client), else its dir. */
    public static ArchiveReader of(Destination archive, S3Client s3Client) {
        ArchiveKeys keys = new ArchiveKeys(archive.option("prefix"));
        if (!archive.option("bucket").isEmpty()) {
            return new S3(keys, s3Client, archive.option("bucket"));
        }
        return new FileTree(keys, Path.of(archive.option("dir")));
    }

    /** Up to limit keys of the day after the cursor (null: from the start of the day), in order. */
    abstract List<String> keysOfDay(LocalDate day, String after, int limit) throws IOException;

    abstract byte[] read(String key) throws IOException;

    /** How many keys the day has. */
    abstract long countDay(LocalDate day) throws IOException;

    /** Up to limit keys after the cursor in the days from..to (by key order, which is day order). */
    List<String> next(LocalDate from, LocalDate to, String cursor, int limit) throws IOException {
        List<String> found = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to) && found.size() < limit; day = day.plusDays(1)) {
            String prefix = keys.dayPrefix(day);
            if (cursor != null && cursor.compareTo(prefix) > 0 && !cursor.startsWith(prefix)) {
                continue; // a day before the cursor's
            }
            String after = cursor != null && cursor.startsWith(prefix) ? cursor : null;
            found.addAll(keysOfDay(day, after, limit - found.size()));
        }
        return found;
    }

    long count(LocalDate from, LocalDate to) throws IOException {
        long total = 0;
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            total += countDay(day);
        }
        return total;
    }

    /** S3 (or any S3-compatible store): one ListObjectsV2 page per call, StartAfter the cursor. */
    static final class S3 extends ArchiveReader {
        private final S3Client s3;
        private final String bucket;

        S3(ArchiveKeys keys, S3Client s3, String bucket) {
            super(keys);
            this.s3 = s3;
            this.bucket = bucket;
        }

        @Override
        List<String> keysOfDay(LocalDate day, String after, int limit) {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket)
                    .prefix(keys.dayPrefix(day)).maxKeys(Math.min(limit, 1000));
            if (after != null) {
                request.startAfter(after);
            }
            ListObjectsV2Response page = s3.listObjectsV2(request.build());
            return page.contents().stream().map(S3Object::key).filter(ArchiveReader::isEvent).toList();
        }

        @Override
        long countDay(LocalDate day) {
            long count = 0;
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keys.dayPrefix(day)))) {
                count += page.contents().stream().map(S3Object::key).filter(ArchiveReader::isEvent).count();
            }
            return count;
        }

        @Override
        byte[] read(String key) {
            ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return object.asByteArray();
        }
    }

    /**
     * The file archive: a day's folder is walked once and its sorted keys kept until the cursor
     * leaves that day (a day of a busy deployment is tens of thousands of names, not more).
     */
    static final class FileTree extends ArchiveReader {
        private final Path root;
        private LocalDate cachedDay;
        private List<String> cachedKeys;

        FileTree(ArchiveKeys keys, Path root) {
            super(keys);
            this.root = root;
        }

        @Override
        synchronized List<String> keysOfDay(LocalDate day, String after, int limit) throws IOException {
            if (!day.equals(cachedDay)) {
                cachedKeys = list(day);
                cachedDay = day;
            }
            int start = 0;
            if (after != null) {
                int at = java.util.Collections.binarySearch(cachedKeys, after);
                start = at >= 0 ? at + 1 : -at - 1;
            }
            return List.copyOf(cachedKeys.subList(start, Math.min(cachedKeys.size(), start + limit)));
        }

        @Override
        long countDay(LocalDate day) throws IOException {
            return list(day).size();
        }

        private List<String> list(LocalDate day) throws IOException {
            Path folder = root.resolve(keys.dayPrefix(day));
            if (!java.nio.file.Files.isDirectory(folder)) {
                return List.of();
            }
            try (Stream<Path> files = java.nio.file.Files.walk(folder)) {
                return files.filter(java.nio.file.Files::isRegularFile)
                        .map(file -> root.relativize(file).toString().replace(java.io.File.separatorChar, '/'))
                        .filter(ArchiveReader::isEvent)
                        .sorted().toList();
            }
        }

        @Override
        byte[] read(String key) throws IOException {
            return java.nio.file.Files.readAllBytes(root.resolve(key));
        }
    }

    /** An archived event (not a file being written: the archive route writes .tmp- files first). */
    static boolean isEvent(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return name.endsWith(".json") && !name.startsWith(".tmp-");
    }
}
