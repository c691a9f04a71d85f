package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps idle and slow clients from starving the callback port. Every connection of the callback
 * server is tracked from the moment it is accepted, in one of three states:
 * <ul>
 * <li><b>waiting</b>: no request yet (or the previous one was answered). A new connection must
 * deliver its request headers within the request timeout; a kept-alive connection is closed after
 * the idle timeout.</li>
 * <li><b>reading</b>: headers are in, the body is not complete. After the request timeout the
 * client gets {@code 408} and the connection is closed.</li>
 * <li><b>answering</b>: the request is completely received and is being processed and answered.
 * Never closed by this guard.</li>
 * </ul>
 * At most {@code maxConnections} are open. When a new one is accepted at the cap, the connection
 * that has been waiting or reading the longest is closed to make room (an idle attacker cannot
 * lock out VOD by being first, and the newest connection, likely a real caller, is the last to go).
 * <p>
 * The cap is applied where connections are accepted (a handler on the listening channel, in
 * Vert.x's acceptor thread), not later on the event loop: the acceptor takes connections as fast
 * as the kernel hands them over, and a busy event loop would otherwise let accepted sockets, and
 * their file descriptors, pile up unbounded. Once half as many again as the cap are open (being
 * closed, or all answering), or the process runs short of file descriptors (a closed socket's
 * descriptor is only freed on the event loop's next select), accepting pauses: new connections
 * wait in the kernel's backlog, using no descriptor of ours, and are taken as room comes back.
 */
public final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private static final class Tracked {
        final Channel channel;
        long since;
        boolean servedOne;
        HttpServerRequest current;

        Tracked(Channel channel, long now) {
            this.channel = channel;
            this.since = now;
        }

        /** Brings the state up to date: a request whose answer has been written leaves it waiting. */
        void refresh(long now) {
            if (current != null && (current.response().ended() || current.response().closed())) {
                current = null;
                servedOne = true;
                since = now;
            }
        }

        boolean answering() {
            return current != null && current.isEnded();
        }
    }

    private final int maxConnections;
    private final int pauseAt;
    private final int resumeAt;
    private final LongSupplier openFiles;
    private final long filesPauseAt;
    private final long filesResumeAt;
    private volatile int admitted;
    private static final AtomicIntegerFieldUpdater<ConnectionGuard> ADMITTED =
            AtomicIntegerFieldUpdater.newUpdater(ConnectionGuard.class, "admitted");
    private final long idleTimeoutNanos;
    private final long requestTimeoutNanos;
    private final SourceAllowList allowList;
    /** In the order of {@code since}: a connection moves to the end when its state changes. */
    private final Map<Channel, Tracked> open = new LinkedHashMap<>();
    /** Accepted and not closed yet: the tracked connections and those being closed. */
    private int live;
    private Channel listener;
    private boolean paused;
    private long evicted;
    private long lastWarn = System.nanoTime() - WARN_EVERY_NANOS;

    /** False until the hub has started ({@link #started()}). */
    private volatile boolean started;
    private volatile Consumer<String> refused = address -> LOG.warn("refused callback from {}: not in hub.callback.allowed-cidrs", address);

    /**
     * fileLimit: the process's open-file limit (-1: unknown), openFiles: its open files now. Beside
     * the cap, accepting pauses while the process has fewer than an eighth of its limit (at least
     * 256) left, whatever holds them, and resumes once a quarter is free again.
     */
    public ConnectionGuard(int maxConnections, long idleTimeoutMillis, long requestTimeoutMillis, SourceAllowList allowList,
            long fileLimit, LongSupplier openFiles) {
        if (maxConnections < 1 || idleTimeoutMillis < 1 || requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("hub.http.max-connections, idle-timeout-ms and request-timeout-ms must be positive");
        }
        this.maxConnections = maxConnections;
        this.pauseAt = maxConnections + Math.max(16, maxConnections / 2);
        this.resumeAt = maxConnections + Math.max(8, maxConnections / 4);
        this.openFiles = openFiles;
        this.filesPauseAt = fileLimit > 0 ? fileLimit - Math.max(256, fileLimit / 8) : Long.MAX_VALUE;
        this.filesResumeAt = fileLimit > 0 ? fileLimit - Math.max(384, fileLimit / 4) : Long.MAX_VALUE;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.requestTimeoutNanos = requestTimeoutMillis * 1_000_000L;
        this.allowList = allowList;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** How often {@link #sweep()} should run, in ms: a tenth of the shortest timeout, 50 to 500. */
    public long sweepIntervalMillis() {
        long shortest = Math.min(idleTimeoutNanos, requestTimeoutNanos) / 1_000_000L;
        return Math.max(50, Math.min(500, shortest / 10));
    }

    /**
     * Puts the guard in front of the listening channel's acceptor: every accepted connection is
     * counted there; evictions run on the server's event loop (eventLoop), where all its
     * connections live, so the guard never touches a connection from the acceptor thread.
     */
    public void install(Channel listeningChannel, Context eventLoop) {
        synchronized (this) {
            listener = listeningChannel;
        }
        listeningChannel.pipeline().addFirst("hub-connection-guard", new Acceptor(eventLoop));
        // while paused, look for room every 20 ms, on the acceptor's thread (counting open files takes a moment)
        ScheduledFuture<?> resumeCheck = listeningChannel.eventLoop()
                .scheduleAtFixedRate(this::resumeIfRoom, 20, 20, TimeUnit.MILLISECONDS);
        listeningChannel.closeFuture().addListener(closed -> resumeCheck.cancel(false));
    }

    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        private final Context eventLoop;

        Acceptor(Context eventLoop) {
            this.eventLoop = eventLoop;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean overCap = msg instanceof Channel child && admit(child);
            ctx.fireChannelRead(msg); // registers the connection on its event loop (a task queued there)
            if (overCap) {
                eventLoop.runOnContext(v -> evictExcess()); // queued after that registration
            }
        }
    }

    /** A connection just accepted (acceptor thread, nothing read yet). True when over the cap. */
    private boolean admit(Channel child) {
        boolean overCap;
        // every 64th connection, count the open files (outside the lock: it lists /proc/self/fd)
        boolean filesLow = (ADMITTED.incrementAndGet(this) & 63) == 0 && openFiles.getAsLong() >= filesPauseAt;
        synchronized (this) {
            open.put(child, new Tracked(child, System.nanoTime()));
            live++;
            if ((live >= pauseAt || filesLow) && listener != null && (!paused || listener.config().isAutoRead())) {
                paused = true; // (Netty's acceptor turns reading back on by itself 1 s after an accept error)
                listener.config().setAutoRead(false);
            }
            overCap = open.size() > maxConnections;
        }
        child.closeFuture().addListener(closed -> closed(child));
        return overCap;
    }

    private synchronized void closed(Channel child) {
        open.remove(child);
        live--;
    }

    /** Resumes accepting once connections and open files are back under their marks. */
    private void resumeIfRoom() {
        synchronized (this) {
            if (!paused || live > resumeAt) {
                return;
            }
        }
        if (openFiles.getAsLong() >= filesResumeAt) {
            return;
        }
        Channel resume = null;
        synchronized (this) {
            if (paused && live <= resumeAt) {
                paused = false;
                resume = listener;
            }
        }
        if (resume != null) {
            resume.config().setAutoRead(true);
        }
    }


    /**
     * Event loop: while over the cap, closes the connection waiting or reading the longest (a new
     * one too, if it is the only one not answering). Answering connections are never closed.
     * The map is in the order of {@code since}, so this looks at the first few entries only.
     */
    private void evictExcess() {
        List<Channel> close = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            int excess = open.size() - maxConnections;
            List<Tracked> answered = new ArrayList<>();
            for (Iterator<Tracked> it = open.values().iterator(); excess > 0 && it.hasNext();) {
                Tracked tracked = it.next();
                if (!tracked.channel.isRegistered()) {
                    continue; // just accepted, not on the event loop yet
                }
                if (tracked.current != null && (tracked.current.response().ended() || tracked.current.response().closed())) {
                    it.remove(); // answered meanwhile: waiting from now on, at the end of the order
                    answered.add(tracked);
                    continue;
                }
                if (tracked.answering()) {
                    continue;
                }
                it.remove();
                close.add(tracked.channel);
                evicted++;
                excess--;
            }
            for (Tracked tracked : answered) {
                tracked.refresh(now);
                open.put(tracked.channel, tracked);
            }
            if (!close.isEmpty()) {
                warnAtCap();
            }
        }
        close.forEach(Channel::close);
    }

    private void warnAtCap() {
        long now = System.nanoTime();
        if (now - lastWarn >= WARN_EVERY_NANOS) {
            lastWarn = now;
            LOG.warn("callback port at its cap of {} connections (hub.http.max-connections): {} idle or slow connection(s) "
                    + "closed so far to make room", maxConnections, evicted);
        }
    }

    /**
     * The hub has started: callbacks go on to the router from now on. Until then the port listens
     * but the callback route is not complete (no route yet: 404; no handler making the body JSON
     * yet: Vert.x decoded a curl-style form body and answered a bare 400), so every request gets
     * 503 with a JSON reason, which VOD retries.
     */
    public void started() {
        started = true;
    }

    /** Told of each request refused by the allow-list (the address), to count and log it. */
    public void onRefused(Consumer<String> listener) {
        this.refused = listener;
    }

    /**
     * A request whose headers are complete (event loop). Returns false when it was answered here
     * (403: its source is not allowed; 503: the hub has not started) and must not go on to the router.
     */
    public boolean onRequest(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        synchronized (this) {
            Tracked tracked = connection instanceof ConnectionBase base ? open.get(base.channel()) : null;
            if (tracked != null) {
                tracked.current = request;
                tracked.since = System.nanoTime();
                open.remove(tracked.channel);
                open.put(tracked.channel, tracked);
            }
        }
        SocketAddress peer = connection.remoteAddress();
        String address = peer == null ? null : peer.hostAddress();
        if (!allowList.allows(address)) {
            refused.accept(address);
            reply(request, 403, "forbidden", "source address " + address + " is not in hub.callback.allowed-cidrs");
            return false;
        }
        if (!started) {
            reply(request, 503, "starting", "the hub is starting; retry in a moment");
            return false;
        }
        return true;
    }

    /** Applies the idle and request deadlines; runs every {@link #sweepIntervalMillis()}. */
    public void sweep() {
        long now = System.nanoTime();
        List<Tracked> expired = new ArrayList<>();
        synchronized (this) {
            List<Tracked> answered = new ArrayList<>();
            for (Iterator<Tracked> it = open.values().iterator(); it.hasNext();) {
                Tracked tracked = it.next();
                if (!tracked.channel.isRegistered()) {
                    continue;
                }
                if (tracked.current != null && (tracked.current.response().ended() || tracked.current.response().closed())) {
                    it.remove();
                    answered.add(tracked);
                    continue;
                }
                if (tracked.answering()) {
                    continue;
                }
                long limit = tracked.current != null || !tracked.servedOne ? requestTimeoutNanos : idleTimeoutNanos;
                if (now - tracked.since >= limit) {
                    it.remove();
                    expired.add(tracked);
                }
            }
            for (Tracked tracked : answered) {
                tracked.refresh(now);
                open.put(tracked.channel, tracked);
            }
        }
        for (Tracked tracked : expired) {
            if (tracked.current != null) {
                LOG.debug("request not received completely in time, answering 408: {}", tracked.channel.remoteAddress());
                reply(tracked.current, 408, "request_timeout", "the request was not received completely in time");
            } else {
                tracked.channel.close();
            }
        }
    }

    /** Answers with a JSON reason, unread body left behind, and closes the connection. */
    static void reply(HttpServerRequest request, int status, String error, String reason) {
        HttpConnection connection = request.connection();
        if (request.response().headWritten() || request.response().closed()) {
            connection.close();
            return;
        }
        String body = JSON.createObjectNode().put("error", error).put("reason", reason).toString();
        request.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(body)
                .onComplete(done -> connection.close());
    }
}
