package io.smarttag.hub.kamelet;

import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.builder.RouteBuilder;

/**
 * The destinations of type kamelet: each gets a route of its own, {@code direct:kamelet-<name>} (id
 * {@code kamelet-<name>}), that calls its kamelet as {@code kamelet:<kamelet>/dest-<name>}, so the
 * kamelet's route has the id {@code dest-<name>} in metrics, logs and Camel's tooling. The kamelet's
 * properties are the destination's options of the same names ({@code hub.destination.<name>.topic},
 * env {@code HUB_DESTINATION_<NAME>_TOPIC}, default {@code hub.kamelet.<property>}); they reach
 * Camel as the kamelet component's route properties, not in an endpoint URI that tooling shows.
 *
 * <p>Checked here, before anything starts: the kamelet exists (users' folder, then the catalog), it
 * is a sink, every property it requires is set and every artifact it names is on the class path. A
 * mistake fails the start with one line naming the destination and what is wrong.
 */
public final class KameletDestinations extends RouteBuilder {

    /** One kamelet destination, checked: its kamelet and the properties it is given. */
    record Plan(String destination, String kamelet, Properties properties) {
    }

    private final List<Plan> plans;

    private KameletDestinations(List<Plan> plans) {
        this.plans = plans;
    }

    /** Checks every kamelet destination; throws with one line on the first mistake. */
    public static KameletDestinations plan(Destinations destinations, Path userFolder, ClassLoader classLoader) {
        List<Plan> plans = new ArrayList<>();
        for (Destination destination : destinations.ofType("kamelet")) {
            plans.add(plan(destination, userFolder, classLoader));
        }
        return new KameletDestinations(plans);
    }

    private static Plan plan(Destination destination, Path userFolder, ClassLoader classLoader) {
        String own = "hub.destination." + destination.name() + ".";
        String name = destination.option("kamelet");
        String prefix = "destination " + destination.name() + ": ";
        if (name.isEmpty()) {
            throw new IllegalArgumentException(prefix + own + "kamelet is not set (the name of a sink kamelet, e.g. kafka-sink)");
        }
        KameletSpec spec;
        try {
            spec = KameletSpec.find(name, userFolder);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(prefix + "kamelet " + name + " could not be read: " + e.getMessage(), e);
        }
        if (spec == null) {
            throw new IllegalArgumentException(prefix + own + "kamelet = " + name + ": no such kamelet (not in "
                    + userFolder.toAbsolutePath().normalize() + " (hub.kamelets.dir) nor in the catalog camel-kamelets)");
        }
        if (!spec.type().isEmpty() && !spec.type().equals("sink")) {
            throw new IllegalArgumentException(prefix + "kamelet " + name + " is a " + spec.type() + " kamelet, not a sink");
        }
        String missing = spec.missingArtifact(classLoader);
        if (missing != null) {
            throw new IllegalArgumentException(prefix + "kamelet " + name + " needs the artifact " + missing
                    + ", which is not on the class path (add its jar and those it depends on to lib/, see the README)");
        }
        Properties properties = new Properties();
        for (String property : spec.properties()) {
            String value = destination.option(property);
            if (!value.isEmpty()) {
                properties.setProperty(property, value);
            }
        }
        for (String property : spec.required()) {
            if (!properties.containsKey(property)) {
                throw new IllegalArgumentException(prefix + "kamelet " + name + " requires " + own + property
                        + " (env " + (own + property).toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_') + ")");
            }
        }
        return new Plan(destination.name(), name, properties);
    }

    /**
     * The options a kamelet destination accepts besides the shared ones: {@code kamelet} and the
     * properties its kamelet declares (empty when the kamelet cannot be found; {@link #plan} says why).
     * For a start-time check of unknown options.
     */
    public static java.util.Set<String> optionsOf(Destination destination, Path userFolder) {
        java.util.Set<String> options = new java.util.LinkedHashSet<>();
        options.add("kamelet");
        try {
            KameletSpec spec = KameletSpec.find(destination.option("kamelet"), userFolder);
            if (spec != null) {
                options.addAll(spec.properties());
            }
        } catch (IOException | RuntimeException unreadable) {
            // plan() fails the start with the reason
        }
        return options;
    }

    /** For the kamelet component's routeProperties: the properties of each kamelet route, by its id. */
    public Map<String, Properties> routeProperties() {
        Map<String, Properties> byRoute = new LinkedHashMap<>();
        for (Plan plan : plans) {
            byRoute.put(kameletRouteId(plan.destination()), plan.properties());
        }
        return byRoute;
    }

    public static String kameletRouteId(String destination) {
        return "dest-" + destination;
    }

    public boolean isEmpty() {
        return plans.isEmpty();
    }

    @Override
    public void configure() {
        // Errors go to the caller (destination-kamelet, then deliver's destination-errors): one failed
        // attempt with the hub's backoff. A kamelet runs under the error handler of the route calling it;
        // Camel's default one here would log each failure with its history and mark the exchange
        // exhausted, and deliver's destination-errors would then not see it.
        errorHandler(noErrorHandler());
        for (Plan plan : plans) {
            from("direct:kamelet-" + plan.destination())
                    .routeId("kamelet-" + plan.destination())
                    .to("kamelet:" + plan.kamelet() + "/" + kameletRouteId(plan.destination()));
        }
    }
}
