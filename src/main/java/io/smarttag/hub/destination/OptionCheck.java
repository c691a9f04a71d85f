package io.smarttag.hub.destination;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, every {@code hub.destination.<name>.<option>} and every type default {@code hub.<type>.<option>}
 * set in a property source (application.properties, -D, override properties) or an environment variable
 * is checked against the options its type knows ({@link DestinationOptions}). A misspelled option would
 * otherwise be ignored without a word (an unsigned webhook for a mistyped {@code secrett}): it fails the
 * start with one line naming it, the type's options and the closest one. A destination configured but not
 * in {@code hub.destinations} is one WARN line (that can be on purpose while staging one).
 *
 * <p>Environment variables lose the difference between '.', '-' and '_' ({@code HUB_DESTINATION_DATA_LAKE_TIMEOUT_MS}
 * is hub.destination.data-lake.timeout-ms, or data_lake's, or a destination data's option lake.timeout-ms),
 * so a variable is matched the other way round, as Camel resolves them: it is known when some listed
 * destination's name and one of its type's options give exactly that variable name.
 */
public final class OptionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(OptionCheck.class);
    static final String PROPERTY = "hub.destination.";
    static final String VARIABLE = "HUB_DESTINATION_";
    /** Types whose defaults hub.&lt;type&gt;.* are checked whether a destination of theirs is listed or not. */
    private static final List<String> BUILT_IN = List.of("database", "archive", "alert", "webhook");
    /** type and when are read from the destination's own keys only: hub.&lt;type&gt;.when is no default. */
    private static final Set<String> NOT_DEFAULTS = Set.of("type", "when");

    private final DestinationOptions options;
    private final List<Destination> listed;

    OptionCheck(DestinationOptions options, List<Destination> listed) {
        this.options = options;
        this.listed = listed;
    }

    /** Checks this hub's configuration; throws with one line on an unknown option, logs a WARN per unlisted destination. */
    public static void check(CamelContext context, Destinations destinations) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Map<String, String> set = new TreeMap<>();
        // (Camel's OrderedProperties keeps its entries apart from java.util.Properties' own map: read it by name)
        Properties loaded = properties.loadProperties(key -> key.startsWith("hub."));
        for (String key : loaded.stringPropertyNames()) {
            set.put(key, loaded.getProperty(key));
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("hub.")) {
                set.put(key, System.getProperty(key));
            }
        }
        new OptionCheck(new DestinationOptions(context), destinations.active()).check(set, System.getenv()).forEach(LOG::warn);
    }

    /**
     * @param properties the hub.* keys set in property sources, with their values
     * @param environment the process environment
     * @return the WARN lines (one per configured destination that is not listed)
     * @throws IllegalArgumentException on a destination whose type has no route file or an unknown option
     */
    List<String> check(Map<String, String> properties, Map<String, String> environment) {
        for (Destination destination : listed) {
            requireRouteFile(destination);
        }
        List<String> unknown = new ArrayList<>();
        Map<String, Unlisted> unlisted = new TreeMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(properties).entrySet()) {
            checkProperty(entry.getKey(), entry.getValue(), unknown, unlisted);
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(environment).entrySet()) {
            String variable = entry.getKey();
            if (variable.equals(variable.toUpperCase(Locale.ROOT)) && variable.startsWith("HUB")) {
                checkVariable(variable, entry.getValue(), unknown, unlisted);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(unknown.get(0) + (unknown.size() == 1 ? ""
                    : " Also unknown: " + String.join(", ", unknown.subList(1, unknown.size()).stream()
                            .map(m -> m.substring(0, m.indexOf(':'))).toList()) + "."));
        }
        String names = String.join(",", listed.stream().map(Destination::name).toList());
        return unlisted.values().stream().map(u -> "destination " + u.name + " is configured (" + String.join(", ", u.keys)
                + ") but is not in hub.destinations (" + names + "): it gets no events until it is listed").toList();
    }

    private void requireRouteFile(Destination destination) {
        if (options.header(destination.type()) == null) {
            Set<String> types = options.knownTypes();
            String guess = closest(destination.type(), types, Function.identity());
            throw new IllegalArgumentException("destination " + destination.name() + " has type '" + destination.type()
                    + "' but there is no " + options.fileOf(destination.type()) + (guess == null ? "" : " (did you mean `" + guess + "`?)")
                    + "; types: " + String.join(", ", types) + " (a new type is a routes/destination-<type>.yaml)");
        }
    }

    private void checkProperty(String key, String value, List<String> unknown, Map<String, Unlisted> unlisted) {
        if (key.startsWith(PROPERTY)) {
            String rest = key.substring(PROPERTY.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            String option = dot < 0 ? "" : rest.substring(dot + 1);
            Destination destination = named(name);
            if (destination == null) {
                if (!shippedWhen(name, option, value)) {
                    unlisted.computeIfAbsent(env(name), n -> new Unlisted()).add(name, key);
                }
            } else if (!options.of(destination).contains(option)) {
                Set<String> own = options.own(destination);
                String guess = closest(option, options.of(destination), Function.identity());
                unknown.add(key + ": " + destination.type() + " destination " + destination.name() + " has no option `" + option + "`"
                        + (guess == null ? "" : " (did you mean `" + guess + "`?)") + "; " + known(destination.type(), own));
            }
            return;
        }
        for (String type : checkedTypes()) {
            String prefix = "hub." + type + ".";
            if (key.startsWith(prefix)) {
                String option = key.substring(prefix.length());
                Set<String> known = typeDefaults(type);
                if (!known.contains(option)) {
                    String guess = closest(option, known, Function.identity());
                    unknown.add(key + ": the " + type + " type has no option or setting `" + option + "`"
                            + (guess == null ? "" : " (did you mean `" + guess + "`?)") + "; " + knownDefaults(type));
                }
            }
        }
    }

    private void checkVariable(String variable, String value, List<String> unknown, Map<String, Unlisted> unlisted) {
        // Camel finds hub.a.b-c as HUB.A.B-C too, before HUB_A_B_C: both are the same variable here
        String v = variable.replace('.', '_').replace('-', '_');
        if (v.startsWith(VARIABLE)) {
            String rest = v.substring(VARIABLE.length());
            Destination best = null;
            for (Destination destination : listed) {
                String prefix = env(destination.name()) + "_";
                if (rest.startsWith(prefix) || rest.equals(env(destination.name()))) {
                    String option = rest.length() > prefix.length() ? rest.substring(prefix.length()) : "";
                    if (options.of(destination).stream().map(OptionCheck::env).anyMatch(option::equals)) {
                        return;
                    }
                    if (best == null || destination.name().length() > best.name().length()) {
                        best = destination;
                    }
                }
            }
            if (best == null) {
                if (!shippedWhenVariable(rest, value)) {
                    String name = guessName(rest);
                    unlisted.computeIfAbsent(name, n -> new Unlisted()).add(name, variable);
                }
                return;
            }
            String prefix = env(best.name()) + "_";
            String option = rest.length() > prefix.length() ? rest.substring(prefix.length()) : "";
            String guess = closest(option, options.of(best), OptionCheck::env);
            unknown.add(variable + " (environment variable): " + best.type() + " destination " + best.name() + " has no option " + option
                    + (guess == null ? "" : " (did you mean `" + guess + "`, " + VARIABLE + prefix + env(guess) + "?)")
                    + "; " + known(best.type(), options.own(best)));
            return;
        }
        for (String type : checkedTypes()) {
            String prefix = "HUB_" + env(type) + "_";
            if (v.startsWith(prefix)) {
                String option = v.substring(prefix.length());
                Set<String> known = typeDefaults(type);
                if (known.stream().map(OptionCheck::env).noneMatch(option::equals)) {
                    String guess = closest(option, known, OptionCheck::env);
                    unknown.add(variable + " (environment variable): the " + type + " type has no option or setting " + option
                            + (guess == null ? "" : " (did you mean `" + guess + "`, " + prefix + env(guess) + "?)") + "; " + knownDefaults(type));
                }
            }
        }
    }

    private Destination named(String name) {
        return listed.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    /** The types whose defaults are checked: the built-in ones and those of listed destinations, if their header declares defaults. */
    private List<String> checkedTypes() {
        Set<String> types = new LinkedHashSet<>(BUILT_IN);
        listed.forEach(d -> types.add(d.type()));
        return types.stream().filter(t -> {
            RouteHeader header = options.header(t);
            return header != null && (header.defaults() || !header.settings().isEmpty());
        }).toList();
    }

    /** What may follow hub.&lt;type&gt;.: the type's options (also computed ones of its listed destinations), its settings, the shared options that have defaults. */
    private Set<String> typeDefaults(String type) {
        RouteHeader header = options.header(type);
        Set<String> known = new LinkedHashSet<>(header.options());
        listed.stream().filter(d -> d.type().equals(type)).forEach(d -> known.addAll(options.own(d)));
        known.addAll(header.settings());
        Destinations.SHARED_OPTIONS.stream().filter(o -> !NOT_DEFAULTS.contains(o)).forEach(known::add);
        return known;
    }

    private static String known(String type, Set<String> own) {
        return "options of type " + type + ": " + (own.isEmpty() ? "none of its own" : String.join(", ", own))
                + "; of every type: " + String.join(", ", Destinations.SHARED_OPTIONS);
    }

    private String knownDefaults(String type) {
        RouteHeader header = options.header(type);
        List<String> shared = Destinations.SHARED_OPTIONS.stream().filter(o -> !NOT_DEFAULTS.contains(o)).toList();
        return "hub." + type + ".<key> takes " + (header.options().isEmpty() ? "no options" : "the options " + String.join(", ", header.options()))
                + (header.settings().isEmpty() ? "" : ", the settings " + String.join(", ", header.settings()))
                + (shared.isEmpty() ? "" : " and " + String.join(", ", shared));
    }

    /** hub.destination.database.when = success,fail etc. in the shipped application.properties are no configuration of an unlisted destination. */
    private static boolean shippedWhen(String name, String option, String value) {
        String shipped = Destinations.DEFAULT_WHEN.get(name);
        return option.equals("when") && shipped != null && value != null && value.replace(" ", "").equals(shipped);
    }

    private static boolean shippedWhenVariable(String rest, String value) {
        return Destinations.DEFAULT_WHEN.keySet().stream()
                .anyMatch(name -> rest.equals(env(name) + "_WHEN") && shippedWhen(name, "when", value));
    }

    /** The destination part of HUB_DESTINATION_&lt;rest&gt; of no listed destination: rest less the longest known option at its end. */
    private String guessName(String rest) {
        Set<String> all = new TreeSet<>(Destinations.SHARED_OPTIONS);
        for (String type : options.knownTypes()) {
            RouteHeader header = options.header(type);
            if (header != null) {
                all.addAll(header.options());
            }
        }
        String name = rest.contains("_") ? rest.substring(0, rest.lastIndexOf('_')) : rest;
        int longest = -1;
        for (String option : all) {
            String suffix = "_" + env(option);
            if (rest.endsWith(suffix) && rest.length() > suffix.length() && suffix.length() > longest) {
                longest = suffix.length();
                name = rest.substring(0, rest.length() - suffix.length());
            }
        }
        return name;
    }

    /** hub.destination.data-lake.timeout-ms -> HUB_DESTINATION_DATA_LAKE_TIMEOUT_MS, Camel's rule. */
    static String env(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The known name closest to what was written (compared in the form {@code as} gives both), if it is within
     * two edits (one for names of three letters or less); the first of the known names on a tie.
     */
    static String closest(String written, Collection<String> known, Function<String, String> as) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = as.apply(written).toLowerCase(Locale.ROOT);
        for (String candidate : known) {
            String c = as.apply(candidate).toLowerCase(Locale.ROOT);
            int distance = distance(w, c);
            int allowed = c.length() <= 3 ? 1 : 2;
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** A destination configured but not listed: its name (as a property writes it, else as its variables do) and keys. */
    private static final class Unlisted {
        private String name;
        private final Set<String> keys = new LinkedHashSet<>();

        void add(String written, String key) {
            if (name == null || written.equals(written.toLowerCase(Locale.ROOT))) {
                name = written;
            }
            keys.add(key);
        }
    }
}
