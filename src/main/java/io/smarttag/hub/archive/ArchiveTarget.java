package io.smarttag.hub.archive;

import java.nio.file.Path;

/** Says where an archived event lives, for the alert mail: an s3:// URI or a local file path. */
public class ArchiveTarget {

    private final String bucket;
    private final String directory;

    public ArchiveTarget(String bucket, String directory) {
        this.bucket = bucket;
        this.directory = directory;
    }

    public String location(String key) {
        if (bucket != null && !bucket.isBlank()) {
            return "s3://" + bucket + "/" + key;
        }
        return Path.of(directory).resolve(key).toString();
    }
}
