package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.List;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code GET /observe/health}, {@code /observe/health/live} and {@code /observe/health/ready} on
 * the management port, in place of Camel's handler (which hands out full detail, error messages
 * and stack traces to anyone who adds {@code ?exposureLevel=full&stackTrace=true}). The status
 * code is 200 when UP and 503 when DOWN. Without {@code Authorization: Bearer
 * <hub.management.token>} the body is only {@code {"status":"UP"}}; with it, every check with its
 * state and message. No query parameter changes what is shown.
 */
public class HealthEndpoint extends ManagementRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PATH = "/observe/health";

    private final ManagementToken token;
    private CamelContext context;

    public HealthEndpoint(String token) {
        this.token = new ManagementToken(token);
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        this.context = context;
        router.route(PATH).method(HttpMethod.GET).blockingHandler(routing -> handle(routing, Kind.ALL), false);
        router.route(PATH + "/live").method(HttpMethod.GET).blockingHandler(routing -> handle(routing, Kind.LIVE), false);
        router.route(PATH + "/ready").method(HttpMethod.GET).blockingHandler(routing -> handle(routing, Kind.READY), false);
    }

    private enum Kind { ALL, LIVE, READY }

    private void handle(RoutingContext routing, Kind kind) {
        Collection<HealthCheck.Result> results = switch (kind) {
            case ALL -> HealthCheckHelper.invoke(context, "full");
            case LIVE -> HealthCheckHelper.invokeLiveness(context, "full");
            case READY -> HealthCheckHelper.invokeReadiness(context, "full");
        };
        boolean up = HealthCheckHelper.isResultsUp(results, kind == Kind.READY);
        String status = up ? "UP" : "DOWN";
        if (kind == Kind.ALL && !up) {
            // A component is down (database, a destination, the MNS consumer) but the instance can
            // still accept callbacks: DEGRADED, answered 200, so it is not taken out of service.
            List<HealthCheck.Result> readiness = results.stream().filter(r -> r.getCheck().isReadiness()).toList();
            if (HealthCheckHelper.isResultsUp(readiness, true)) {
                up = true;
                status = "DEGRADED";
            }
        }
        ObjectNode body = JSON.createObjectNode().put("status", status);
        if (authorized(routing.request().getHeader("Authorization"))) {
            ArrayNode checks = body.putArray("checks");
            for (HealthCheck.Result result : results) {
                ObjectNode check = checks.addObject()
                        .put("name", result.getCheck().getId())
                        .put("status", result.getState().name());
                result.getMessage().ifPresent(message -> check.put("message", message));
                result.getError().ifPresent(error -> check.put("error-message", error.toString()));
            }
        }
        routing.response().setStatusCode(up ? 200 : 503)
                .putHeader("Content-Type", "application/json")
                .end(body.toString());
    }

    private boolean authorized(String authorization) {
        return token.authorizes(authorization);
    }
}
