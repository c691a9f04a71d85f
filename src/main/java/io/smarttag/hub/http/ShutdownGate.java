package io.smarttag.hub.http;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Closes the sources when the hub begins to stop (SIGTERM): from then on a callback is answered
 * 503, so VOD retries against another instance or later, while the events already accepted are
 * finished. The HTTP route is stopped last (shutdownRoute: Defer) so it can keep saying so.
 */
public class ShutdownGate extends EventNotifierSupport {

    /** Thrown to a source while the hub is stopping. */
    public static class ClosedException extends Exception {
        public ClosedException() {
            super("the hub is shutting down", null, false, false);
        }
    }

    private final long drainMillis;
    private final int callbackPort;
    private volatile boolean closing;

    /**
     * drainMillis: how long the hub keeps answering 503 before Camel stops its routes;
     * callbackPort: the port whose listener is closed after that.
     */
    public ShutdownGate(long drainMillis, int callbackPort) {
        this.drainMillis = drainMillis;
        this.callbackPort = callbackPort;
        // only the context's stopping matters: without this Camel raised an event for every exchange (ExchangeEventsOff)
        setIgnoreExchangeEvents(true);
    }

    public void check() throws ClosedException {
        if (closing) {
            throw new ClosedException();
        }
    }

    public boolean isClosing() {
        return closing;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    /**
     * Runs in the stopping thread before any route stops: callers get 503 from now on, and the
     * stop waits a moment so that callbacks already in flight complete on open routes.
     */
    @Override
    public void notify(CamelEvent event) throws Exception {
        closing = true;
        Thread.sleep(drainMillis);
        // Close the callback port before the routes stop: a caller then sees a refused
        // connection (VOD retries it) instead of a 404 from a router whose route is gone.
        CamelContext context = ((CamelEvent.CamelContextEvent) event).getContext();
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            if (server.getConfigurationPort() == callbackPort) {
                server.stop();
            }
        }
    }
}
