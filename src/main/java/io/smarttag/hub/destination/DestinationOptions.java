package io.smarttag.hub.destination;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;

/**
 * The options each destination type knows: what its route file's header lists ({@link RouteHeader}),
 * the options every type shares ({@link Destinations#SHARED_OPTIONS}), and, for a type whose options
 * depend on the destination (a kamelet's are its Kamelet's declared properties), what its entry in
 * {@link #COMPUTED} returns. Route files are found where Camel Main loads routes from
 * ({@code camel.main.routes-include-pattern}, by default {@code file:routes/*.yaml}).
 */
public final class DestinationOptions {

    /** The options of a type that depend on the destination, beyond its route header's list. */
    @FunctionalInterface
    public interface Computed {
        Collection<String> options(Destination destination, CamelContext context);
    }

    /**
     * Types whose options are computed per destination, one line each: a kamelet destination takes every
     * property its Kamelet declares (spec.definition.properties), found as the kamelet component finds it.
     */
    static final Map<String, Computed> COMPUTED = Map.of(
            "kamelet", (d, camel) -> io.smarttag.hub.kamelet.KameletDestinations.optionsOf(d, java.nio.file.Path.of(
                    camel.getPropertiesComponent().resolveProperty("hub.kamelets.dir").orElse("kamelets"))));

    private final CamelContext context;
    private final List<String> routeDirs;
    private final Map<String, RouteHeader> headers = new HashMap<>();

    public DestinationOptions(CamelContext context) {
        this.context = context;
        this.routeDirs = routeDirs(context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern")
                .orElse("file:routes/*.yaml"));
    }

    /** The folders of camel.main.routes-include-pattern, each with its scheme: file:routes/*.yaml gives file:routes. */
    static List<String> routeDirs(String includePattern) {
        List<String> dirs = new ArrayList<>();
        for (String pattern : includePattern.split(",")) {
            String p = pattern.strip();
            int slash = p.lastIndexOf('/');
            String dir = slash < 0 ? (p.contains(":") ? p.substring(0, p.indexOf(':') + 1) : "file:") : p.substring(0, slash);
            if (!dir.isEmpty() && !dirs.contains(dir)) {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    /** Where the route of a type is expected, as the messages name it. */
    public String fileOf(String type) {
        String dir = routeDirs.isEmpty() ? "file:routes" : routeDirs.get(0);
        return dir.substring(dir.indexOf(':') + 1) + (dir.endsWith(":") ? "" : "/") + "destination-" + type + ".yaml";
    }

    /** The header of routes/destination-&lt;type&gt;.yaml; null when no route folder has that file. */
    public RouteHeader header(String type) {
        if (headers.containsKey(type)) {
            return headers.get(type);
        }
        RouteHeader header = null;
        for (String dir : routeDirs) {
            String uri = dir + (dir.endsWith(":") ? "" : "/") + "destination-" + type + ".yaml";
            Resource resource = PluginHelper.getResourceLoader(context).resolveResource(uri);
            if (resource != null && resource.exists()) {
                try (InputStream in = resource.getInputStream()) {
                    header = RouteHeader.parse(fileOf(type), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + uri + ": " + e.getMessage(), e);
                }
                break;
            }
        }
        headers.put(type, header);
        return header;
    }

    /** Every option a destination of this type takes: its own (header, computed), then the shared ones, in that order. */
    public Set<String> of(Destination destination) {
        Set<String> all = new LinkedHashSet<>(own(destination));
        all.addAll(Destinations.SHARED_OPTIONS);
        return all;
    }

    /** The type's own options (header and computed), without the shared ones. */
    public Set<String> own(Destination destination) {
        Set<String> own = new LinkedHashSet<>();
        RouteHeader header = header(destination.type());
        if (header != null) {
            own.addAll(header.options());
        }
        Computed computed = COMPUTED.get(destination.type());
        if (computed != null) {
            own.addAll(computed.options(destination, context));
        }
        return own;
    }

    /** The types with a route file in a file: route folder (for "did you mean" on a mistyped type). */
    public Set<String> knownTypes() {
        Set<String> types = new TreeSet<>();
        for (String dir : routeDirs) {
            if (!dir.startsWith("file:")) {
                continue;
            }
            Path folder = Path.of(dir.substring("file:".length()).isEmpty() ? "." : dir.substring("file:".length()));
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                files.map(f -> f.getFileName().toString())
                        .filter(f -> f.startsWith("destination-") && f.endsWith(".yaml"))
                        .forEach(f -> types.add(f.substring("destination-".length(), f.length() - ".yaml".length())));
            } catch (IOException e) {
                // no suggestion then; the missing file is still named
            }
        }
        return types;
    }
}
