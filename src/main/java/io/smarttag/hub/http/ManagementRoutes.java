package io.smarttag.hub.http;

import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Something the hub serves on the management port (health, replay, the operator page, the guard of
 * Camel's developer console). The port's router exists only once the management server has started,
 * so the routes are added when the context is fully started; without a management server there is
 * nothing to add them to (one WARN line).
 */
public abstract class ManagementRoutes implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementRoutes.class);

    @Override
    public final void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // too early: see onCamelContextFullyStarted
    }

    @Override
    public final void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null || server.getRouter() == null) {
            LOG.warn("no management server: {} is not served", path());
            return;
        }
        addRoutes(server.getRouter(), context);
    }

    /** The path (or path prefix) these routes serve, for the log line. */
    protected abstract String path();

    protected abstract void addRoutes(Router router, CamelContext context);
}
