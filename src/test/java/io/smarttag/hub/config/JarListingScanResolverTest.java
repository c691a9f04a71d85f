package io.smarttag.hub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.scan.DefaultPackageScanResourceResolver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hub's resource scan (the jar's central directory) finds exactly what Camel's own finds (every
 * entry read through a JarInputStream), in the jars of the hub's real class path.
 */
class JarListingScanResolverTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "META-INF/services/org/apache/camel/dev-console/*", // what the developer console scans for, at every start
        "META-INF/services/org/apache/camel/*",
        "META-INF/services/org/apache/camel/component/*",
        "org/apache/camel/**/*.json",
        "db/migration/*.sql"})
    void findsWhatCamelsOwnScanFinds(String pattern) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Set<String> camels = found(context, new DefaultPackageScanResourceResolver(), pattern);
            Set<String> hubs = found(context, new JarListingScanResolver(), pattern);
            assertEquals(camels, hubs);
            if (pattern.contains("dev-console")) {
                assertTrue(hubs.stream().anyMatch(r -> r.endsWith("/dev-console/route")), "the route console is found: " + hubs);
            }
        }
    }

    private static Set<String> found(DefaultCamelContext context, DefaultPackageScanResourceResolver resolver, String pattern)
            throws Exception {
        resolver.setCamelContext(context);
        resolver.init();
        PackageScanResourceResolver scan = resolver;
        Set<String> locations = new TreeSet<>();
        for (Resource resource : scan.findResources(pattern)) {
            locations.add(resource.getLocation());
        }
        return locations;
    }
}
