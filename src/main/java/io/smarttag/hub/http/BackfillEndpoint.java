package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.lifecycle.Backfill;
import io.smarttag.hub.lifecycle.Backfills;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.OffsetDateTime;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfills over HTTP on the management port, with the bearer token (off without one, 403):
 * <ul>
 * <li>{@code POST /observe/backfill} with {"destination", "from", "to"} (yyyy-MM-dd, EventTime
 * days) and optionally "kinds", "archive": 201 and the backfill; 409 while one of the destination
 * is running or paused;</li>
 * <li>{@code GET /observe/backfill}: the latest backfills with their progress;
 * {@code GET /observe/backfill/<id>}: one, with its parked items;</li>
 * <li>{@code POST /observe/backfill/<id>/pause|resume|cancel|retry-parked}.</li>
 * </ul>
 */
public class BackfillEndpoint extends ManagementRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PATH = "/observe/backfill";
    private static final int MAX_BODY = 8192;

    private final ManagementToken token;
    private final Backfills backfills;

    public BackfillEndpoint(String token, Backfills backfills) {
        this.token = new ManagementToken(token);
        this.backfills = backfills;
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        router.route(PATH).method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .blockingHandler(this::start, false);
        router.route(PATH).method(HttpMethod.GET).blockingHandler(this::list, false);
        router.route(PATH + "/:id").method(HttpMethod.GET).blockingHandler(this::one, false);
        router.route(PATH + "/:id/:action").method(HttpMethod.POST).blockingHandler(this::act, false);
    }

    private boolean authorized(RoutingContext routing) {
        if (!token.isSet()) {
            EventStatusEndpoint.reply(routing, 403, EventStatusEndpoint.error("disabled", "set hub.management.token to enable backfills"));
            return false;
        }
        if (!token.authorizes(routing.request().getHeader("Authorization"))) {
            EventStatusEndpoint.reply(routing, 401, EventStatusEndpoint.error("unauthorized", "missing or wrong bearer token"));
            return false;
        }
        return true;
    }

    private void start(RoutingContext routing) {
        if (!authorized(routing)) {
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(routing.body().buffer() == null ? new byte[0] : routing.body().buffer().getBytes());
        } catch (Exception e) {
            request = null;
        }
        if (request == null || !request.isObject()) {
            EventStatusEndpoint.reply(routing, 400, EventStatusEndpoint.error("bad_request",
                    "give {\"destination\": \"..\", \"from\": \"yyyy-MM-dd\", \"to\": \"yyyy-MM-dd\"}"));
            return;
        }
        JsonNode body = request;
        answer(routing, 201, () -> backfills.start(body));
    }

    private void list(RoutingContext routing) {
        if (authorized(routing)) {
            answer(routing, 200, () -> JSON.createObjectNode().set("backfills", backfills.listJson(50)));
        }
    }

    private void one(RoutingContext routing) {
        if (!authorized(routing)) {
            return;
        }
        String id = routing.pathParam("id");
        answer(routing, 200, () -> {
            Backfill backfill = backfills.get(id);
            if (backfill == null) {
                throw new Backfills.Refused(404, "no backfill " + id);
            }
            return backfill.toJson(OffsetDateTime.now()).set("parkedItems", backfills.parkedJson(id, 100));
        });
    }

    private void act(RoutingContext routing) {
        if (authorized(routing)) {
            answer(routing, 200, () -> backfills.act(routing.pathParam("id"), routing.pathParam("action")));
        }
    }

    /** The call's result as JSON with the status; a refusal with its own; the database down: 503. */
    private static void answer(RoutingContext routing, int status, Call call) {
        try {
            Object result = call.run();
            String body = result instanceof Backfill backfill ? backfill.toJson(OffsetDateTime.now()).toString() : result.toString();
            EventStatusEndpoint.reply(routing, status, body);
        } catch (Backfills.Refused refused) {
            EventStatusEndpoint.reply(routing, refused.status(), EventStatusEndpoint.error(
                    refused.status() == 409 ? "conflict" : refused.status() == 404 ? "not_found" : "bad_request", refused.getMessage()));
        } catch (Exception e) {
            LOG.warn("backfill request failed: {}", e.toString());
            EventStatusEndpoint.reply(routing, 503, EventStatusEndpoint.error("unavailable", "the database could not be reached, retry later"));
        }
    }

    @FunctionalInterface
    interface Call {
        Object run() throws Exception;
    }
}
