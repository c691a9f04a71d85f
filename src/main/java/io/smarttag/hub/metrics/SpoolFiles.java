package io.smarttag.hub.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many callbacks wait in the local spool (hub.spool.dir), counted when scraped. */
public class SpoolFiles {

    private final Path dir;

    public SpoolFiles(Path dir) {
        this.dir = dir;
    }

    public double count() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path ignored : files) {
                n++;
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return n;
    }
}
