package io.smarttag.hub.health;

import io.smarttag.hub.metrics.SpoolFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;

/** The local spool, for the detail view: it can take callbacks when its folder can be written. */
public class SpoolHealthCheck extends ComponentHealthCheck {

    private final Path dir;
    private final SpoolFiles spool;

    public SpoolHealthCheck(Path dir) {
        super("spool");
        this.dir = dir;
        this.spool = new SpoolFiles(dir);
    }

    /** Whether a callback could be written to the spool now (the folder exists or can be made, and is writable). */
    public boolean canTake() {
        try {
            Files.createDirectories(dir);
            return Files.isDirectory(dir) && Files.isWritable(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("spool.dir", dir.toString());
        if (!canTake()) {
            builder.message("spool folder " + dir + " cannot be written").down();
            return;
        }
        long files = (long) spool.count();
        builder.detail("spool.files", files);
        if (files > 0) {
            builder.message(files + " callback(s) spooled, waiting for the database");
        }
        builder.up();
    }
}
