package io.smarttag.hub;

import io.smarttag.hub.config.HubConfiguration;
import io.smarttag.hub.http.CallbackHttpServerFactory;
import org.apache.camel.main.Main;

/**
 * Starts the hub: Camel Main with the YAML routes in {@code routes/} and the top-level
 * {@code application.properties}, both read from the working directory so ops can change them
 * without rebuilding. Every property can be overridden by an environment variable
 * ({@code hub.db.url} by {@code HUB_DB_URL}).
 */
public final class HubMain {

    private HubMain() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        configure(main);
        main.run(args);
    }

    /** Shared by {@link #main} and the tests, so tests start the hub exactly as production does. */
    public static void configure(Main main) {
        main.setPropertyPlaceholderLocations("file:application.properties");
        main.configure().addConfiguration(HubConfiguration.class);
        // builds the callback port's server (camel.server.*) with the hub.http.* connection limits
        main.bind("callbackHttpServerFactory", new CallbackHttpServerFactory());
    }
}
