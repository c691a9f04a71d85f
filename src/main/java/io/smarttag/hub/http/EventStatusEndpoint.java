package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.lifecycle.EventStatus;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /observe/events?job=<JobId>} on the management port: every event of the job with its
 * state per destination ({@link EventStatus}). Requires {@code Authorization: Bearer
 * <hub.management.token>} (401 without or with a wrong one); with no token configured it is off
 * (403), as the replay endpoint is. An unknown job is 200 with no events.
 */
public class EventStatusEndpoint extends ManagementRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(EventStatusEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PATH = "/observe/events";

    private final ManagementToken token;
    private final EventStatus status;

    public EventStatusEndpoint(String token, EventStatus status) {
        this.token = new ManagementToken(token);
        this.status = status;
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        router.route(PATH).method(HttpMethod.GET).blockingHandler(this::handle, false);
    }

    private void handle(RoutingContext routing) {
        if (!token.isSet()) {
            reply(routing, 403, error("disabled", "set hub.management.token to enable the event status"));
            return;
        }
        if (!token.authorizes(routing.request().getHeader("Authorization"))) {
            reply(routing, 401, error("unauthorized", "missing or wrong bearer token"));
            return;
        }
        String job = routing.request().getParam("job");
        if (job == null || job.isEmpty() || job.length() > 256) {
            reply(routing, 400, error("bad_request", "give job=<JobId>"));
            return;
        }
        try {
            reply(routing, 200, status.of(job).toString());
        } catch (Exception e) {
            LOG.warn("event status could not be read: {}", e.toString());
            reply(routing, 503, error("unavailable", "the inbox could not be read, retry later"));
        }
    }

    static String error(String error, String reason) {
        return JSON.createObjectNode().put("error", error).put("reason", reason).toString();
    }

    static void reply(RoutingContext routing, int status, String body) {
        routing.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store").end(body);
    }
}
