package io.smarttag.hub.destination;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.properties.DefaultPropertiesLookup;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.IOHelper;

/**
 * The destinations this instance delivers to, read once at start from {@code hub.destinations}.
 * Each needs a route {@code direct:destination-<type>}: a new type is one YAML file in routes/.
 * A destination removed from the list keeps its delivery history; it is simply not delivered to.
 */
public class Destinations {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /** The when of a destination that does not set one: what each built-in type did before v2. */
    static final Map<String, String> DEFAULT_WHEN = Map.of(
            "database", "success,fail",
            "archive", "success,fail,other",
            "alert", "fail");

    private final List<Destination> active;
    /** taking(kind) of each kind, worked out once: it is asked several times per event. */
    private final Map<String, List<Destination>> byKind;

    public Destinations(List<Destination> active) {
        this.active = List.copyOf(active);
        this.byKind = Destination.KINDS.stream()
                .collect(Collectors.toUnmodifiableMap(kind -> kind, kind -> this.active.stream().filter(d -> d.takes(kind)).toList()));
    }

    /** Reads hub.destinations and each destination's type and when; a mistake fails the start. */
    public static Destinations fromProperties(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        // Read once per key: the configuration is fixed while the hub runs, and a destination's options
        // are read on every delivery (resolving a property walks every property source each time).
        Map<String, Optional<String>> resolved = new ConcurrentHashMap<>();
        Function<String, String> lookup = key -> resolved.computeIfAbsent(key, properties::resolveProperty).orElse(null);
        // A pattern is read as written: Camel's placeholder parser returns nothing at all for a value
        // holding "}}", which nearly every nested pattern ends with. The environment variable wins, as
        // it does for every other property (Camel's OVERRIDE mode).
        DefaultPropertiesLookup fileAndOverrides = new DefaultPropertiesLookup((org.apache.camel.component.properties.PropertiesComponent) properties);
        Function<String, String> raw = key -> {
            String env = IOHelper.lookupEnvironmentVariable(key);
            return env != null ? env : fileAndOverrides.lookup(key, null);
        };
        String names = lookup.apply("hub.destinations");
        Set<String> seen = new LinkedHashSet<>();
        List<Destination> list = Arrays.stream(names == null ? new String[0] : names.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(name -> {
                    if (!NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException("hub.destinations: '" + name
                                + "' is not a destination name (lower-case letters, digits, '-' and '_', up to 64)");
                    }
                    if (!seen.add(name)) {
                        throw new IllegalArgumentException("hub.destinations names '" + name + "' twice");
                    }
                    String type = text(lookup, "hub.destination." + name + ".type", DEFAULT_WHEN.containsKey(name) ? name : null);
                    if (type == null || !NAME.matcher(type).matches()) {
                        throw new IllegalArgumentException("hub.destination." + name + ".type is not set (database, archive, alert, webhook"
                                + " or the name of a routes/destination-<type>.yaml)");
                    }
                    String when = text(lookup, "hub.destination." + name + ".when", DEFAULT_WHEN.getOrDefault(type, "success,fail,other"));
                    Set<String> kinds = Arrays.stream(when.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .collect(Collectors.toCollection(LinkedHashSet::new));
                    if (kinds.isEmpty() || !Destination.KINDS.containsAll(kinds)) {
                        throw new IllegalArgumentException("hub.destination." + name + ".when = '" + when
                                + "': a comma list of success, fail, other");
                    }
                    String own = "hub.destination." + name + ".filter";
                    String pattern = text(raw, own, text(raw, "hub." + type + ".filter", null));
                    return new Destination(name, type, Set.copyOf(kinds), lookup,
                            pattern == null ? null : EventFilter.compile(raw.apply(own) != null ? own : "hub." + type + ".filter", pattern));
                })
                .toList();
        return new Destinations(list);
    }

    private static String text(Function<String, String> lookup, String key, String fallback) {
        String value = lookup.apply(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /** Every active destination, in the order of hub.destinations. */
    public List<Destination> active() {
        return active;
    }

    public List<String> names() {
        return active.stream().map(Destination::name).toList();
    }

    public List<Destination> ofType(String type) {
        return active.stream().filter(d -> d.type().equals(type)).toList();
    }

    public Destination named(String name) {
        return active.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }

    /** Options every destination type shares, whatever its route header lists (see each routes/destination-*.yaml). */
    public static final List<String> SHARED_OPTIONS = List.of("type", "when", "filter", "format");

    /** Types that write rows, files or alerts of their own shape: format (what a message looks like) is not theirs. */
    private static final Set<String> NO_FORMAT = Set.of("database", "archive", "alert", "sql");

    private static void checkOptions(Destination d) {
        String own = "hub.destination." + d.name() + ".";
        String format = d.option("format");
        if (!format.isEmpty()) {
            if (!Payloads.FORMATS.contains(format)) {
                throw new IllegalArgumentException(own + "format = '" + format + "': one of " + String.join(", ", Payloads.FORMATS));
            }
            if (NO_FORMAT.contains(d.type()) && !format.equals(Payloads.RAW)) {
                throw new IllegalArgumentException(own + "format = '" + format + "': a " + d.type()
                        + " destination has no format (it applies to webhook and kamelet destinations)");
            }
        }
        if (d.type().equals("webhook") && d.option("url").isEmpty()) {
            throw new IllegalArgumentException("webhook destination " + d.name() + " has no URL: set " + own + "url (or hub.webhook.url)");
        }
        if (d.type().equals("alert")) {
            for (String channel : d.list("channels")) {
                if (!channel.equals("email") && !channel.equals("webhook")) {
                    throw new IllegalArgumentException(own + "channels (or hub.alert.channels): unknown channel '" + channel
                            + "' (email, webhook)");
                }
            }
            if (d.list("channels").contains("webhook")) {
                if (d.option("webhook.url").isEmpty()) {
                    throw new IllegalArgumentException("alert destination " + d.name() + " has the webhook channel but no URL: set "
                            + own + "webhook.url (or hub.alert.webhook.url)");
                }
                io.smarttag.hub.alert.ChatMessages.validate(d.option("webhook.format"));
            }
        }
    }

    /** The active destinations that take an event of this kind (success, fail, other). */
    public List<Destination> taking(String kind) {
        List<Destination> taking = kind == null ? null : byKind.get(kind);
        return taking != null ? taking : active.stream().filter(d -> d.takes(kind)).toList();
    }

    /**
     * Every destination's type has its route, and the built-in types have what they cannot work
     * without: a start that fails names the property, a delivery that fails forever would not.
     */
    public void checkRoutes(CamelContext context) {
        for (Destination destination : active) {
            checkOptions(destination);
        }
        Set<String> routed = context.getRoutes().stream().map(Route::getEndpoint)
                .map(e -> e.getEndpointBaseUri()).collect(Collectors.toSet());
        for (Destination destination : active) {
            String uri = "direct://destination-" + destination.type();
            if (!routed.contains(uri)) {
                throw new IllegalStateException("destination " + destination.name() + " has type '" + destination.type()
                        + "' but no route reads " + uri.replace("//", "") + " (add routes/destination-" + destination.type() + ".yaml)");
            }
        }
    }
}
