package io.smarttag.hub.setup;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where setup puts the hub properties it decided: to a file it is given or, without one, to
 * standard output as environment lines (HUB_CALLBACK_URL=...), the hub's override rule
 * (hub.x.y -> HUB_X_Y). A file named *.properties (application.properties, say) gets
 * {@code hub.x.y = value} lines, any other file environment lines (for systemd's EnvironmentFile,
 * docker --env-file or {@code set -a; . file}). Keys already in the file are replaced in place, the
 * rest of the file is kept. A file setup creates is readable by its owner only: it holds the AuthKey.
 */
public final class HubPropertiesOutput {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+,=-]*");

    private HubPropertiesOutput() {
    }

    public static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static void print(Map<String, String> properties, PrintStream out) {
        properties.forEach((key, value) -> out.println(environmentLine(key, value)));
    }

    public static void write(Map<String, String> properties, Path file) throws IOException {
        boolean propertiesFormat = file.getFileName().toString().endsWith(".properties");
        Map<String, String> pending = new LinkedHashMap<>(properties);
        List<String> lines = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String key = keyOf(line, propertiesFormat, properties);
                lines.add(key == null ? line : render(key, pending.remove(key), propertiesFormat));
            }
        }
        pending.forEach((key, value) -> lines.add(render(key, value, propertiesFormat)));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".setup-", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions: the folder's rules apply
            }
            Files.write(temp, lines, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The property this line sets, if it is one of ours. */
    private static String keyOf(String line, boolean propertiesFormat, Map<String, String> ours) {
        String trimmed = line.trim();
        if (trimmed.startsWith("#") || !trimmed.contains("=")) {
            return null;
        }
        String name = trimmed.substring(0, trimmed.indexOf('=')).trim();
        if (!propertiesFormat && name.startsWith("export ")) {
            name = name.substring("export ".length()).trim();
        }
        for (String key : ours.keySet()) {
            if (propertiesFormat ? key.equals(name) : environmentName(key).equals(name)) {
                return key;
            }
        }
        return null;
    }

    private static String render(String key, String value, boolean propertiesFormat) {
        if (propertiesFormat) {
            return key + " = " + value.replace("\\", "\\\\");
        }
        return environmentLine(key, value);
    }

    private static String environmentLine(String key, String value) {
        String quoted = PLAIN.matcher(value).matches() ? value : "'" + value.replace("'", "'\\''") + "'";
        return environmentName(key) + "=" + quoted;
    }
}
