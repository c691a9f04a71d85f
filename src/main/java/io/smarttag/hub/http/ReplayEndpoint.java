package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.tools.Replay;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import io.smarttag.hub.destination.Destinations;
import javax.sql.DataSource;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /observe/replay?job=<JobId>} (repeatable) or {@code ?all=true} on the management
 * port, optionally {@code &destination=<name>} (that destination delivers the job's events again,
 * or with all=true every event it parked): puts parked events back into the inbox, exactly as the {@link Replay} command does, but
 * while the hub runs (the embedded H2 file allows one process, so the command needs the hub
 * stopped). Requires {@code Authorization: Bearer <hub.management.token>}; with no token
 * configured the endpoint is off (403), so a management port reachable by others cannot be used
 * to trigger deliveries.
 */
public class ReplayEndpoint extends ManagementRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PATH = "/observe/replay";

    private final ManagementToken token;
    private final DataSource dataSource;

    private final Destinations destinations;
    private CamelContext context;

    public ReplayEndpoint(String token, DataSource dataSource, Destinations destinations) {
        this.destinations = destinations;
        this.token = new ManagementToken(token);
        this.dataSource = dataSource;
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        this.context = context;
        router.route(PATH).method(HttpMethod.POST).blockingHandler(this::handle, false);
    }

    private void handle(RoutingContext routing) {
        if (!token.isSet()) {
            reply(routing, 403, error("disabled", "set hub.management.token to enable replays over HTTP"));
            return;
        }
        if (!token.authorizes(routing.request().getHeader("Authorization"))) {
            reply(routing, 401, error("unauthorized", "missing or wrong bearer token"));
            return;
        }
        List<String> jobs = routing.queryParam("job");
        boolean all = "true".equals(routing.request().getParam("all"));
        if (all == !jobs.isEmpty()) {
            reply(routing, 400, error("bad_request", "give job=<JobId> (one or more) or all=true"));
            return;
        }
        String destination = routing.request().getParam("destination");
        if (destination != null && !destinations.names().contains(destination)) {
            reply(routing, 400, error("bad_request", "destination must be one of hub.destinations: " + destinations.names()));
            return;
        }
        try {
            int replayed = Replay.replay(dataSource, all ? null : jobs, destination == null ? null : destinations.named(destination));
            // ops ask for a try now: this instance's holds of those destinations end (a failure holds again)
            io.smarttag.hub.inbox.InboxEngine engine = context == null ? null
                    : context.getRegistry().lookupByNameAndType("inboxEngine", io.smarttag.hub.inbox.InboxEngine.class);
            if (engine != null) {
                engine.releaseHolds(destination == null ? destinations.names() : List.of(destination));
            }
            LOG.info("replay requested over HTTP for {}{}: {} event(s) back to pending", all ? "all" : jobs.size() + " job(s)",
                    destination == null ? "" : " to destination " + destination, replayed);
            reply(routing, 200, JSON.createObjectNode().put("replayed", replayed));
        } catch (Exception e) {
            LOG.warn("replay failed: {}", e.toString());
            reply(routing, 503, error("unavailable", "the inbox could not be updated, retry later"));
        }
    }

    private static ObjectNode error(String error, String reason) {
        return JSON.createObjectNode().put("error", error).put("reason", reason);
    }

    private static void reply(RoutingContext routing, int status, ObjectNode body) {
        routing.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }
}
