package io.smarttag.hub.check;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The few hub.* settings check needs, found the way the hub finds them: an environment variable
 * (hub.x.y as HUB_X_Y), a -D system property, else application.properties in the working directory.
 */
final class HubSettingsFile {

    private final Map<String, String> env;
    private final Properties file = new Properties();

    HubSettingsFile(Map<String, String> env, Path applicationProperties) throws IOException {
        this.env = env;
        if (Files.exists(applicationProperties)) {
            try (Reader in = Files.newBufferedReader(applicationProperties)) {
                file.load(in);
            }
        }
    }

    String get(String property) {
        String value = env.get(property.toUpperCase().replace('.', '_').replace('-', '_'));
        if (value == null || value.isBlank()) {
            value = System.getProperty(property);
        }
        if (value == null || value.isBlank()) {
            value = file.getProperty(property);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }
}
