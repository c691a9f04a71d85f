package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every hub.* property is documented in the configuration table (docs/configuration.md, which the README's
 * Configuration section links) with its environment variable.
 */
class ConfigurationDocsTest {

    @Test
    void everyPropertyIsInTheConfigurationTable() throws Exception {
        String properties = Files.readString(Path.of("application.properties"));
        assertTrue(Files.readString(Path.of("README.md")).contains("](docs/configuration.md)"), "the README links the configuration table");
        String table = Files.readString(Path.of("docs/configuration.md"));
        Matcher keys = Pattern.compile("(?m)^#? ?(hub\\.[a-z0-9.\\-]+) =").matcher(properties);
        List<String> missing = new ArrayList<>();
        int seen = 0;
        while (keys.find()) {
            seen++;
            String key = keys.group(1);
            String env = key.toUpperCase().replace('.', '_').replace('-', '_');
            if (!table.contains("| `" + key + "` | `" + env + "` |")) {
                missing.add(key);
            }
        }
        assertTrue(seen > 40, "found " + seen + " properties");
        assertTrue(missing.isEmpty(), "not in the table of docs/configuration.md: " + missing);
    }
}
