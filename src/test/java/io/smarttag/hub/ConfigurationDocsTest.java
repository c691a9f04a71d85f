package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every hub.* property is documented in the README's table with its environment variable. */
class ConfigurationDocsTest {

    @Test
    void everyPropertyIsInTheReadmeTable() throws Exception {
        String properties = Files.readString(Path.of("application.properties"));
        String readme = Files.readString(Path.of("README.md"));
        Matcher keys = Pattern.compile("(?m)^#? ?(hub\\.[a-z0-9.\\-]+) =").matcher(properties);
        List<String> missing = new ArrayList<>();
        int seen = 0;
        while (keys.find()) {
            seen++;
            String key = keys.group(1);
            String env = key.toUpperCase().replace('.', '_').replace('-', '_');
            if (!readme.contains("| `" + key + "` | `" + env + "` |")) {
                missing.add(key);
            }
        }
        assertTrue(seen > 40, "found " + seen + " properties");
        assertTrue(missing.isEmpty(), "not in the README table: " + missing);
    }
}
