package io.smarttag.hub.metrics;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Times every callback request on the callback port, from the moment its headers are read to the
 * moment its answer is sent, whatever answers it (the route, or Vert.x itself with a 413), into
 * the smarttag_callback_request_seconds histogram.
 */
public class CallbackMetricsHandler implements ExtendedStartupListener {

    private final int port;
    private final String path;
    private final HubMetrics metrics;

    public CallbackMetricsHandler(int port, String path, HubMetrics metrics) {
        this.port = port;
        this.path = path;
        this.metrics = metrics;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the router exists only once the HTTP server has started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return;
        }
        router.route(path).order(Integer.MIN_VALUE).handler(routing -> {
            long start = System.nanoTime();
            routing.addBodyEndHandler(done -> metrics.callbackAnswered(System.nanoTime() - start, routing.response().getStatusCode()));
            routing.next();
        });
    }
}
