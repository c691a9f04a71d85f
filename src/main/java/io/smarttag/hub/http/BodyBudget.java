package io.smarttag.hub.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the callback bodies in the heap at once. Vert.x reads a callback's whole body into memory
 * before the route sees it, and the route keeps it until the answer: with nothing bounding them, 50
 * callers posting 1 MiB bodies at once ran a 112 MiB hub out of memory, and at 200 the callback
 * port's event loop died (every later callback went unanswered while health said UP).
 * <p>
 * A callback goes on to its body only while the bodies being read or handled, each counted at its
 * Content-Length (at hub.http.max-body-bytes when it has none), stay within hub.http.max-body-memory-bytes.
 * The others wait in their order of arrival, paused, and go on as answers free room. A paused
 * request is not unread: Vert.x keeps what the socket had already delivered, up to about 128 KiB
 * (at 1,000 waiting senders of 1 MiB that ran the hub out of memory again). So the waiting are
 * bounded too: each counts at most {@link #WAITING_BYTES}, and while they add up to the budget a
 * further callback is answered 503 at once, unread, its connection closed (VOD retries it; a
 * 503 costs no memory). A request that waits longer than hub.http.request-timeout-ms is answered
 * 408 by the {@link ConnectionGuard}, as any request not received in time. At most twice the
 * budget is held by callback bodies, however many callers post at once.
 */
public final class BodyBudget {

    private static final Logger LOG = LoggerFactory.getLogger(BodyBudget.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;
    /** What a paused request may hold of its body: Vert.x's inbound queue of 8 KiB chunks and a socket read. */
    static final long WAITING_BYTES = 128 * 1024;

    private final long maxBytes;
    private final long maxBody;
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private long used;
    private long waitingBytes;
    private long waited;
    private long refused;
    private long lastWarn = System.nanoTime() - WARN_EVERY_NANOS;

    public BodyBudget(long maxBytes, long maxBody) {
        if (maxBody < 1 || maxBytes < maxBody) {
            throw new IllegalArgumentException("hub.http.max-body-memory-bytes (" + maxBytes
                    + ") must be at least hub.http.max-body-bytes (" + maxBody + ")");
        }
        this.maxBytes = maxBytes;
        this.maxBody = maxBody;
    }

    /** One request's claim on the budget, from its headers until its answer ends or its connection closes. */
    private final class Ticket {
        final RoutingContext routing;
        final Context context;
        final long bytes;
        final long waitingCost;
        boolean admitted;
        boolean over;

        Ticket(RoutingContext routing, Context context, long bytes) {
            this.routing = routing;
            this.context = context;
            this.bytes = bytes;
            this.waitingCost = Math.min(bytes, WAITING_BYTES);
        }
    }

    /**
     * Event loop, headers read: lets the request on to its body now, or once room frees. False when
     * it was answered 503 here (no room to wait either).
     */
    public boolean admit(RoutingContext routing) {
        Ticket ticket = new Ticket(routing, Vertx.currentContext(), bytesOf(routing.request()));
        boolean now;
        synchronized (this) {
            now = waiting.isEmpty() && fits(ticket.bytes);
            if (now) {
                ticket.admitted = true;
                used += ticket.bytes;
            } else if (waitingBytes + ticket.waitingCost <= maxBytes) {
                routing.request().pause();
                waiting.add(ticket);
                waitingBytes += ticket.waitingCost;
                waited++;
                warnWhileWaiting();
            } else {
                refused++;
                warnWhileWaiting();
                ConnectionGuard.reply(routing.request(), 503, "busy",
                        "too many callback bodies at once (hub.http.max-body-memory-bytes); retry later");
                return false;
            }
        }
        routing.addEndHandler(done -> ended(ticket)); // answered, failed or closed: called once or more
        if (now) {
            routing.next();
        }
        return true;
    }

    /** hub.http.max-body-bytes: the largest body taken. */
    long maxBody() {
        return maxBody;
    }

    private boolean fits(long bytes) {
        return used == 0 || used + bytes <= maxBytes;
    }

    /**
     * A body announced larger than the limit is refused by Vert.x from its headers alone (413), and a
     * wrong Content-Length ends the request with an error: neither is read past the limit.
     */
    private long bytesOf(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return maxBody;
        }
        try {
            long declared = Long.parseLong(length.trim());
            return declared < 0 || declared > maxBody ? maxBody : declared;
        } catch (NumberFormatException e) {
            return maxBody;
        }
    }

    private void ended(Ticket ticket) {
        List<Ticket> next = new ArrayList<>();
        synchronized (this) {
            if (ticket.over) {
                return;
            }
            ticket.over = true;
            if (!ticket.admitted) {
                waiting.remove(ticket);
                waitingBytes -= ticket.waitingCost;
                return;
            }
            used -= ticket.bytes;
            while (!waiting.isEmpty() && fits(waiting.peek().bytes)) {
                Ticket head = waiting.poll();
                waitingBytes -= head.waitingCost;
                head.admitted = true;
                used += head.bytes;
                next.add(head);
            }
        }
        for (Ticket admitted : next) {
            // on the request's own event loop (the BodyHandler behind resumes it); one answered or
            // closed while it waited has already given its room back through ended()
            admitted.context.runOnContext(v -> {
                if (!admitted.routing.response().ended() && !admitted.routing.response().closed()) {
                    admitted.routing.next();
                }
            });
        }
    }

    private void warnWhileWaiting() {
        long now = System.nanoTime();
        if (now - lastWarn >= WARN_EVERY_NANOS) {
            lastWarn = now;
            LOG.warn("callback bodies at their memory budget of {} bytes (hub.http.max-body-memory-bytes): {} request(s) waiting"
                    + " ({} so far), {} answered 503 so far", maxBytes, waiting.size(), waited, refused);
        }
    }
}
