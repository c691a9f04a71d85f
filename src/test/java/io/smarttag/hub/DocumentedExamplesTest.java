package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.RunningHub;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every configuration example of destinations in README.md and docs/*.md starts a hub, so the documentation
 * cannot drift from what the hub accepts (a misspelled option in an example fails the start, see
 * DestinationOptionsCheckTest). An example is a fenced {@code properties} block, or a {@code bash}/{@code sh}
 * block of {@code export HUB_...=...} lines, that sets hub.destinations, a hub.destination.* key or a
 * type default of a built-in type (hub.archive.*, HUB_ALERT_*, ...): no marker is needed, so a new page's
 * examples are checked too. An example that shows a configuration the hub refuses is marked with
 * {@code <!-- example: refused -->} on the line above its fence: it must fail to start, and the page must
 * show the refusal (its message up to the first ';').
 *
 * <p>What an example cannot mean on this machine is replaced: hub.db.* (the test's own H2 database stands in),
 * ports (free ones) and folders (under a temporary one). Properties examples run in this JVM, environment
 * examples in a hub JVM of their own with those variables, as ops would run them.
 */
class DocumentedExamplesTest {

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*([A-Za-z]*)");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z_][A-Z0-9_]*)=(.*)", Pattern.DOTALL);
    private static final Pattern DESTINATION_PROPERTY = Pattern.compile("hub\\.(destination|destinations|database|archive|alert|webhook)\\b.*");
    private static final Pattern DESTINATION_VARIABLE = Pattern.compile("HUB_(DESTINATION|DESTINATIONS|DATABASE|ARCHIVE|ALERT|WEBHOOK)(_.*)?");
    private static final String REFUSED = "<!-- example: refused -->";

    /** One fenced block: where it is, its language, its text, whether it is marked refused. */
    record Example(Path file, int line, String language, String text, boolean refused) {

        boolean isEnvironment() {
            return Set.of("bash", "sh", "shell", "env").contains(language);
        }

        Map<String, String> settings() throws Exception {
            Map<String, String> settings = new LinkedHashMap<>();
            if (language.equals("properties")) {
                Properties properties = new Properties();
                properties.load(new StringReader(text));
                properties.stringPropertyNames().stream().sorted().filter(k -> k.startsWith("hub."))
                        .forEach(k -> settings.put(k, properties.getProperty(k)));
            } else if (isEnvironment()) {
                settings.putAll(assignments(text));
                settings.keySet().removeIf(k -> !k.startsWith("HUB_"));
            }
            return settings;
        }

        boolean configuresDestinations() throws Exception {
            return settings().keySet().stream().anyMatch(k -> DESTINATION_PROPERTY.matcher(k).matches()
                    || DESTINATION_VARIABLE.matcher(k).matches());
        }

        @Override
        public String toString() {
            return file + ":" + line + " (" + language + ")";
        }
    }

    static List<Path> pages() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        if (Files.isDirectory(Path.of("docs"))) {
            try (Stream<Path> docs = Files.list(Path.of("docs"))) {
                docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
            }
        }
        return pages;
    }

    static List<Example> examples(Path page) throws Exception {
        List<String> lines = Files.readAllLines(page);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.find()) {
                continue;
            }
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).strip().startsWith(open.group(1)); i++) {
                text.append(lines.get(i)).append('\n');
            }
            int above = start - 1;
            while (above >= 0 && lines.get(above).isBlank()) {
                above--;
            }
            boolean refused = above >= 0 && lines.get(above).strip().equals(REFUSED);
            examples.add(new Example(page, start + 1, open.group(2).toLowerCase(), text.toString(), refused));
        }
        return examples;
    }

    @Test
    void theReadmeExamplesAreFound() throws Exception {
        // the README keeps the Kafka example and S3 and SMTP of the built-in destinations; the worked webhook
        // example, a second archive and alert and a refused typo moved with the destination reference
        List<Example> readme = new ArrayList<>();
        List<Example> found = new ArrayList<>();
        for (Path page : List.of(Path.of("README.md"), Path.of("docs/destinations.md"))) {
            for (Example example : examples(page)) {
                if (example.configuresDestinations()) {
                    found.add(example);
                    if (page.equals(Path.of("README.md"))) {
                        readme.add(example);
                    }
                }
            }
        }
        assertTrue(readme.size() >= 3, "README examples found: " + readme);
        assertTrue(found.size() >= 5, "examples found: " + found);
        assertTrue(found.stream().anyMatch(Example::isEnvironment) && found.stream().anyMatch(e -> !e.isEnvironment()), found.toString());
        assertTrue(found.stream().anyMatch(Example::refused), found.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedExampleStarts() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages()) {
            for (Example example : examples(page)) {
                if (example.configuresDestinations()) {
                    tests.add(DynamicTest.dynamicTest(example.toString(), () -> run(example)));
                }
            }
        }
        return tests.stream();
    }

    private static void run(Example example) throws Exception {
        Path home = Files.createTempDirectory("smarttag-example");
        Map<String, String> settings = localised(example.settings(), home);
        if (example.isEnvironment()) {
            if (example.refused()) {
                Map<String, String> env = new LinkedHashMap<>(settings);
                env.putIfAbsent("HUB_DB_URL", "jdbc:h2:file:" + home.resolve("db/smarttag") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
                env.putIfAbsent("HUB_HTTP_PORT", String.valueOf(io.smarttag.hub.testsupport.TestServers.freePort()));
                env.putIfAbsent("HUB_MANAGEMENT_PORT", String.valueOf(io.smarttag.hub.testsupport.TestServers.freePort()));
                String[] run = HubProcess.runTool(HubMain.class, env);
                assertNotEquals("0", run[0], example + " started: " + run[1]);
                String refusal = run[1].lines().filter(l -> l.contains("IllegalArgumentException: ")).findFirst().orElse(run[1]);
                assertShown(example, refusal.substring(refusal.indexOf("IllegalArgumentException: ") + "IllegalArgumentException: ".length()));
            } else {
                try (HubProcess hub = HubProcess.start(home, settings)) {
                    assertTrue(hub.isAlive(), example.toString());
                }
            }
            return;
        }
        RunningHub.Builder builder = RunningHub.builder();
        settings.forEach(builder::property);
        if (example.refused()) {
            Throwable refused = assertThrows(Exception.class, () -> builder.start().close(), example + " started");
            while (refused.getCause() != null) {
                refused = refused.getCause();
            }
            assertShown(example, refused.getMessage());
        } else {
            try (RunningHub hub = builder.start()) {
                assertTrue(hub.context().isStarted(), example.toString());
            }
        }
    }

    /** The page shows the refusal the hub gives, up to its first ';' (what follows lists options that grow). */
    private static void assertShown(Example example, String refusal) throws Exception {
        String shown = refusal.contains(";") ? refusal.substring(0, refusal.indexOf(';')) : refusal;
        assertTrue(Files.readString(example.file()).contains(shown.strip()),
                example + " is refused with '" + refusal + "', which the page does not show");
    }

    /** Drops hub.db.* (the test's H2 stands in) and ports, and puts folders under home; keeps every destination option. */
    private static Map<String, String> localised(Map<String, String> settings, Path home) {
        Map<String, String> local = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            String property = key.toLowerCase().replace('_', '.');
            if (property.startsWith("hub.db.") || property.endsWith(".port") && !property.contains("smtp")) {
                return;
            }
            boolean folder = property.endsWith("dir");
            local.put(key, folder ? home.resolve("folders").resolve(key).toString() : value);
        });
        return local;
    }

    /** The NAME=value words of export lines (and lines of assignments only), as a POSIX shell splits them. */
    static Map<String, String> assignments(String script) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : script.replace("\\\n", " ").split("\n")) {
            List<String> words = words(line);
            int i = 0;
            if (!words.isEmpty() && words.get(0).equals("export")) {
                i = 1;
            }
            for (; i < words.size(); i++) {
                Matcher assignment = ASSIGNMENT.matcher(words.get(i));
                if (!assignment.matches()) {
                    break;
                }
                env.put(assignment.group(1), assignment.group(2));
            }
        }
        return env;
    }

    /** Shell words of one line: quotes group and are removed, an unquoted '#' starting a word begins a comment. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
