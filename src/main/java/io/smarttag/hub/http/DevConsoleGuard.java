package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;

/**
 * Camel's developer console (/q/dev on the management port: routes, their statistics, threads,
 * properties, ...) shows how the hub is wired and configured: only to a caller with the
 * management token (Authorization: Bearer, compared in constant time). Without a configured token
 * it is off (403). The guard runs ahead of Camel's own handler on the management router.
 */
public class DevConsoleGuard extends ManagementRoutes {

    public static final String PATH = "/q/dev";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManagementToken token;

    public DevConsoleGuard(String token) {
        this.token = new ManagementToken(token);
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        router.route(PATH + "*").order(Integer.MIN_VALUE).handler(routing -> {
            if (!token.isSet()) {
                reply(routing, 403, "disabled", "set hub.management.token to use the developer console");
            } else if (!token.authorizes(routing.request().getHeader("Authorization"))) {
                reply(routing, 401, "unauthorized", "missing or wrong bearer token");
            } else {
                routing.next();
            }
        });
    }

    private static void reply(io.vertx.ext.web.RoutingContext routing, int status, String error, String reason) {
        routing.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(JSON.createObjectNode().put("error", error).put("reason", reason).toString());
    }
}
