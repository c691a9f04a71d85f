package io.smarttag.hub.destination;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a destination route file's header comment (its leading {@code #} lines) says about the options
 * of its type, the convention every routes/destination-&lt;type&gt;.yaml follows:
 * <pre>
 * # Options (hub.destination.&lt;name&gt;.&lt;option&gt;, default hub.&lt;type&gt;.&lt;option&gt;): a, b, c.
 * # Type settings (hub.&lt;type&gt;.&lt;setting&gt;, one for every destination of the type): x, y.
 * </pre>
 * The list may wrap onto following comment lines and ends with a full stop; {@code Options: none} says
 * the type has no options of its own. The type settings paragraph is optional.
 *
 * @param options   the type's own options (the shared ones, type and when, are not listed)
 * @param settings  keys under hub.&lt;type&gt;. that are one for the whole type, not per destination
 * @param defaults  whether hub.&lt;type&gt;.&lt;option&gt; is declared as the options' default (then those keys are checked too)
 */
public record RouteHeader(Set<String> options, Set<String> settings, boolean defaults) {

    /** An option name: hub.destination.indexer.timeout-ms has option timeout-ms, alert's webhook.url is one too. */
    static final String NAME = "[a-z0-9][a-z0-9_-]*(?:\\.[a-z0-9][a-z0-9_-]*)*";
    private static final Pattern NONE = Pattern.compile("\\bOptions:\\s*none\\b");
    private static final Pattern OPTIONS = paragraph("Options");
    private static final Pattern SETTINGS = paragraph("Type settings");

    /** "<word>" with an optional (…) and a colon, then everything up to the first full stop that ends a sentence. */
    private static Pattern paragraph(String word) {
        return Pattern.compile("(?<![A-Za-z])" + word + "\\s*(\\([^)]*\\))?:\\s*(.*?)\\.(?=\\s|$)", Pattern.DOTALL);
    }

    /**
     * Reads the header of one route file.
     *
     * @throws IllegalArgumentException naming the file when it declares no options or lists something that is not an option name
     */
    public static RouteHeader parse(String file, String yaml) {
        StringBuilder header = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("#")) {
                break;
            }
            header.append(trimmed.substring(1)).append('\n');
        }
        String text = header.toString();
        if (NONE.matcher(text).find()) {
            return new RouteHeader(Set.of(), list(file, "Type settings", SETTINGS.matcher(text)), false);
        }
        Matcher options = OPTIONS.matcher(text);
        if (!options.find()) {
            throw new IllegalArgumentException(file + " does not declare the options of its type: its header comment needs a line"
                    + " '# Options (hub.destination.<name>.<option>, default hub.<type>.<option>): a, b, c.' or '# Options: none'");
        }
        String scope = options.group(1) == null ? "" : options.group(1);
        Set<String> names = names(file, "Options", options.group(2));
        return new RouteHeader(names, list(file, "Type settings", SETTINGS.matcher(text)), scope.contains("default hub."));
    }

    private static Set<String> list(String file, String word, Matcher paragraph) {
        return paragraph.find() ? names(file, word, paragraph.group(2)) : Set.of();
    }

    private static Set<String> names(String file, String word, String list) {
        Set<String> names = new LinkedHashSet<>();
        List<String> bad = new ArrayList<>();
        for (String item : list.split(",")) {
            String name = item.strip();
            if (name.matches(NAME)) {
                names.add(name);
            } else {
                bad.add("'" + name.replaceAll("\\s+", " ") + "'");
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(file + ": the header's '" + word + "' list has " + String.join(", ", bad)
                    + ", not option names (lower-case, digits, '.', '-', '_'; comma separated, ending with a full stop)");
        }
        return Collections.unmodifiableSet(names);
    }
}
