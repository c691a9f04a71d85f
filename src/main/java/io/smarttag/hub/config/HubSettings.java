package io.smarttag.hub.config;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed access to the {@code hub.*} properties. Defaults live in one place only, the top-level
 * application.properties, so a key missing there is a packaging error and fails the start.
 */
public final class HubSettings {

    private final PropertiesComponent properties;

    public HubSettings(CamelContext context) {
        this.properties = context.getPropertiesComponent();
    }

    public String text(String key) {
        return properties.resolveProperty(key)
                .map(String::trim)
                .orElseThrow(() -> new IllegalStateException("Missing property " + key + " in application.properties"));
    }

    public boolean isSet(String key) {
        return !text(key).isEmpty();
    }

    public int integer(String key) {
        return Integer.parseInt(text(key));
    }

    public long number(String key) {
        return Long.parseLong(text(key));
    }

    public double decimal(String key) {
        return Double.parseDouble(text(key));
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(text(key));
    }
}
