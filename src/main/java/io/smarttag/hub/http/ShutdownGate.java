package io.smarttag.hub.http;

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

    private volatile boolean closing;

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

    @Override
    public void notify(CamelEvent event) {
        closing = true;
    }
}
