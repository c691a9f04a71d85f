package io.smarttag.hub.kamelet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What the hub needs to know of a kamelet before it starts one: the properties it declares, those it
 * requires, and the artifacts its components come from ({@code spec.dependencies}). Read from the
 * users' folder ({@code hub.kamelets.dir}) first, then from the catalog on the class path
 * ({@code camel-kamelets}, {@code kamelets/<name>.kamelet.yaml}): the same order as
 * {@code camel.component.kamelet.location}, so the file checked here is the file Camel runs.
 *
 * @param type the label {@code camel.apache.org/kamelet.type}: sink, source or action
 */
public record KameletSpec(String name, String source, String type, Set<String> properties, Set<String> required, List<String> dependencies) {

    /** The kamelet of this name, or null when neither the folder nor the catalog has it. */
    public static KameletSpec find(String name, Path userFolder) throws IOException {
        Path own = userFolder.resolve(name + ".kamelet.yaml");
        if (Files.isRegularFile(own)) {
            try (InputStream in = Files.newInputStream(own)) {
                return parse(name, own.toString(), in);
            }
        }
        String resource = "kamelets/" + name + ".kamelet.yaml";
        try (InputStream in = KameletSpec.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : parse(name, "classpath:" + resource, in);
        }
    }

    @SuppressWarnings("unchecked")
    static KameletSpec parse(String name, String source, InputStream in) {
        Object document = new Load(LoadSettings.builder().build()).loadFromInputStream(in);
        Map<String, Object> spec = map(map(document).get("spec"));
        Map<String, Object> definition = map(spec.get("definition"));
        Set<String> properties = new LinkedHashSet<>(map(definition.get("properties")).keySet());
        Set<String> required = new LinkedHashSet<>();
        if (definition.get("required") instanceof List<?> list) {
            list.forEach(p -> required.add(String.valueOf(p)));
        }
        List<String> dependencies = new ArrayList<>();
        if (spec.get("dependencies") instanceof List<?> list) {
            list.forEach(d -> dependencies.add(String.valueOf(d)));
        }
        Object type = map(map(map(document).get("metadata")).get("labels")).get("camel.apache.org/kamelet.type");
        return new KameletSpec(name, source, type == null ? "" : String.valueOf(type), properties, required, dependencies);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /**
     * The first dependency whose jar is not on the class path, as group:artifact, or null. A
     * {@code camel:x} dependency is {@code org.apache.camel:camel-x}; {@code mvn:g:a:v} is g:a in any
     * version. A jar is known by the {@code META-INF/maven/<g>/<a>/pom.properties} Maven puts in it. An
     * {@code -all} artifact is the shaded form of the one without the suffix, so either will do (the
     * hub bundles the unshaded Artemis client).
     */
    public String missingArtifact(ClassLoader classLoader) {
        for (String dependency : dependencies) {
            String[] parts = dependency.split(":");
            String group;
            String artifact;
            if (parts[0].equals("camel") && parts.length >= 2) {
                if (parts[1].equals("core")) {
                    continue; // camel-core's parts are what the hub runs on
                }
                group = "org.apache.camel";
                artifact = "camel-" + parts[1];
            } else if (parts[0].equals("mvn") && parts.length >= 3) {
                group = parts[1];
                artifact = parts[2];
            } else {
                continue;
            }
            if (!present(classLoader, group, artifact)
                    && !(artifact.endsWith("-all") && present(classLoader, group, artifact.substring(0, artifact.length() - 4)))) {
                return group + ":" + artifact;
            }
        }
        return null;
    }

    private static boolean present(ClassLoader classLoader, String group, String artifact) {
        return classLoader.getResource("META-INF/maven/" + group + "/" + artifact + "/pom.properties") != null;
    }
}
