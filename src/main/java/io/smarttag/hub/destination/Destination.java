package io.smarttag.hub.destination;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One configured destination: {@code hub.destination.<name>.type}, {@code .when} and the options
 * of its type. An option is looked up as {@code hub.destination.<name>.<key>} first, then as the
 * type's default {@code hub.<type>.<key>} (so {@code hub.archive.bucket} is the bucket of every
 * archive destination that does not name its own). Both can be environment variables
 * ({@code HUB_DESTINATION_<NAME>_<KEY>}).
 *
 * @param name    the name in hub.destinations; also the delivery row's destination and metric label
 * @param type    selects the route {@code direct:destination-<type>} (routes/destination-<type>.yaml)
 * @param when    the kinds of event it takes: success, fail, other
 * @param filter  its compiled {@code filter} pattern (hub.destination.<name>.filter); null: it takes every
 *                event its when names
 */
public record Destination(String name, String type, Set<String> when, Function<String, String> properties, EventFilter filter) {

    public Destination(String name, String type, Set<String> when, Function<String, String> properties) {
        this(name, type, when, properties, null);
    }

    public static final Set<String> KINDS = Set.of("success", "fail", "other");

    /** The option's value, trimmed; empty when neither the destination nor its type sets it. */
    public String option(String key) {
        String own = properties.apply("hub.destination." + name + "." + key);
        if (own != null) {
            return own.trim();
        }
        String typeDefault = properties.apply("hub." + type + "." + key);
        return typeDefault == null ? "" : typeDefault.trim();
    }

    /** A comma-separated option as a list, blanks dropped. */
    public List<String> list(String key) {
        return Arrays.stream(option(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Makes this the destination of an attempt: the variables destination (this) and destinationType
     * (its type, what the fan-out's toD names the route by). A plain variable, because a simple
     * expression that walks into a bean (variable.destination.type) copies the exchange on every call.
     */
    public void bindTo(org.apache.camel.Exchange exchange) {
        exchange.setVariable("destination", this);
        exchange.setVariable("destinationType", type);
    }

    public boolean takes(String kind) {
        return when.contains(kind);
    }

    /** The shape of what it sends (hub.destination.<name>.format, default hub.<type>.format, else raw). */
    public String format() {
        String format = option("format");
        return format.isEmpty() ? Payloads.RAW : format;
    }

    @Override
    public String toString() {
        return name + " (" + type + ", when " + String.join(",", when) + (filter == null ? "" : ", filter " + filter)
                + (option("format").isEmpty() ? "" : ", format " + option("format")) + ")";
    }
}
