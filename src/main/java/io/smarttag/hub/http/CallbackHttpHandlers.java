package io.smarttag.hub.http;

import io.smarttag.hub.metrics.HubMetrics;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VOD does not document the Content-Type of its callbacks, and a plain {@code curl --data} sends
 * application/x-www-form-urlencoded. Vert.x would decode the JSON body as a form (and fail with a
 * bare 400) before our route sees it. A handler ahead of the callback route, on the Vert.x router
 * of the callback port, marks every callback body as JSON, so it reaches the route byte for byte
 * whatever the header says. The same handler times every callback request, from the moment its
 * headers are read to the moment its answer is sent, whatever answers it (the route, or Vert.x
 * itself with a 413), into the smarttag_callback_request_seconds histogram. Then the request waits,
 * unread, while the bodies in memory are at their budget ({@link BodyBudget}).
 * <p>
 * A client that drops the connection before its body is complete is one DEBUG line, not the
 * ERROR with a stack trace Vert.x-Web logs for an unhandled {@link HttpClosedException} (nothing
 * was received, nothing stored; VOD retries). A body over the limit gets 413 with a JSON reason and
 * a line of the rate-limited rejection log, not Vert.x-Web's plain text and an ERROR line each.
 * Other failures go on to the default handling.
 */
public class CallbackHttpHandlers implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackHttpHandlers.class);

    private final int port;
    private final String path;
    private final HubMetrics metrics;
    private final BodyBudget bodies;

    public CallbackHttpHandlers(int port, String path, HubMetrics metrics, BodyBudget bodies) {
        this.port = port;
        this.path = path;
        this.metrics = metrics;
        this.bodies = bodies;
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        // the router exists only once the HTTP server has started
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // wait until fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("no HTTP router on port " + port);
        }
        router.route(path).order(Integer.MIN_VALUE).handler(routing -> {
            long start = System.nanoTime();
            routing.addBodyEndHandler(done -> metrics.callbackAnswered(System.nanoTime() - start, routing.response().getStatusCode()));
            routing.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
            // on to the body now, or once the bodies in memory leave room; 503 when none is left to wait
            if (!bodies.admit(routing)) {
                metrics.received("http");
                metrics.rejected("http", "busy");
            }
        });
        RejectionLog rejections = context.getRegistry().lookupByNameAndType("rejectionLog", RejectionLog.class);
        router.route().order(Integer.MIN_VALUE).failureHandler(routing -> {
            if (routing.failure() instanceof HttpClosedException) {
                LOG.debug("client closed the connection before its request was complete: {} {}",
                        routing.request().remoteAddress(), routing.failure().getMessage());
                return;
            }
            if (routing.statusCode() == 413 && routing.failure() == null) {
                // Vert.x's body handler refused the body: a JSON answer like any other rejection, and a
                // line of the rejection log (Vert.x-Web's own is an ERROR per request, unlimited)
                if (rejections != null) {
                    rejections.tooLarge(bodies.maxBody());
                }
                // answered as Vert.x-Web would (the connection left to it), only in JSON
                if (!routing.response().ended() && !routing.response().closed()) {
                    routing.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .end("{\"error\":\"too_large\",\"reason\":\"the body is over hub.http.max-body-bytes ("
                                    + bodies.maxBody() + " bytes)\"}");
                }
                return;
            }
            routing.next();
        });
        // only now is the callback route complete: until here the port answered 503 "starting"
        CallbackHttpServer server = context.hasService(CallbackHttpServer.class);
        if (server != null) {
            server.guard().started();
        }
    }
}
