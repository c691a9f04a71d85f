package io.smarttag.hub.http;

import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's Vert.x server of the callback port ({@code camel.server.*}), with the one thing Camel
 * does not let us configure: the Vert.x {@link HttpServer} itself. Camel builds its routers as
 * usual (platform-http routes, body limit); this class starts the listener with a
 * {@link ConnectionGuard} on its acceptor and ahead of every request, on one event loop. It
 * reaches into two Vert.x 4.5 internals (the listening channel, a connection's channel);
 * CallbackConnectionLimitsTest fails if an upgrade moves them.
 * HTTP/2 cleartext is off: VOD posts HTTP/1.1, and the guard tracks one request per connection.
 */
public class CallbackHttpServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackHttpServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;
    private final ConnectionGuard guard;
    private HttpServer server;
    private long sweepTimer = -1;
    private boolean ownVertx;

    public CallbackHttpServer(VertxPlatformHttpServerConfiguration configuration, ConnectionGuard guard) {
        super(configuration);
        this.configuration = configuration;
        this.guard = guard;
    }

    public ConnectionGuard guard() {
        return guard;
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public int getPort() {
        return server != null ? server.actualPort() : configuration.getBindPort();
    }

    @Override
    protected void startServer() throws Exception {
        if (configuration.isUseGlobalSslContextParameters() || configuration.getSslContextParameters() != null) {
            throw new IllegalStateException("TLS on the callback port is not supported by the hub: terminate TLS in front of it");
        }
        Router router = topRouter();
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
        server = getVertx().createHttpServer(options);
        server.requestHandler(request -> {
            if (guard.onRequest(request)) {
                router.handle(request);
            }
        });
        // listen and sweep on one event-loop context, so every connection and the sweep share a thread
        Context context = getVertx().getOrCreateContext();
        Promise<HttpServer> listening = Promise.promise();
        context.runOnContext(v -> {
            sweepTimer = getVertx().setPeriodic(guard.sweepIntervalMillis(), id -> guard.sweep());
            server.listen(configuration.getBindPort(), configuration.getBindHost()).onComplete(listening);
        });
        try {
            listening.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            guard.install(listeningChannel(server), context);
        } catch (Exception e) {
            LOG.warn("Failed to start the callback server on {}:{}: {}", configuration.getBindHost(), configuration.getBindPort(), e.getMessage());
            throw e;
        }
        LOG.info("Callback HTTP server started on {}:{} (at most {} connections)", configuration.getBindHost(),
                server.actualPort(), guard.maxConnections());
    }

    @Override
    protected void stopServer() {
        if (server == null) {
            return;
        }
        try {
            if (getCamelContext() != null) {
                getCamelContext().removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
            }
            if (sweepTimer >= 0) {
                getVertx().cancelTimer(sweepTimer);
                sweepTimer = -1;
            }
            server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.info("Callback HTTP server stopped");
        } catch (Exception e) {
            LOG.warn("Failed to close the callback server: {}", e.toString());
        } finally {
            server = null;
        }
    }

    /** The Vert.x Camel makes for this server when the registry has none: this server closes it ({@link #stopVertx}). */
    @Override
    protected Vertx createVertxInstance() {
        ownVertx = true;
        return super.createVertxInstance();
    }

    /**
     * Camel's stopVertx() closes the Vert.x it made on the executor that Camel's startServer() creates.
     * This class starts its listener itself, so that executor never exists: Camel's stop threw a
     * NullPointerException (a WARN with its stack trace at every shutdown, from ShutdownGate) and left
     * this Vert.x and its event-loop threads running.
     */
    @Override
    protected void stopVertx() {
        Vertx vertx = getVertx();
        if (!ownVertx || vertx == null) {
            return;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Failed to close the callback server's Vert.x: {}", e.toString());
        } finally {
            ownVertx = false;
            // as Camel's stopVertx() leaves it: a new start makes a new Vert.x
            setVertx(null);
        }
    }

    /** The Netty channel the server listens on (Vert.x keeps it private in TCPServerBase). */
    @SuppressWarnings("unchecked")
    private static Channel listeningChannel(HttpServer server) throws ReflectiveOperationException {
        Field field = TCPServerBase.class.getDeclaredField("bindFuture");
        field.setAccessible(true);
        return ((Future<Channel>) field.get(server)).result();
    }

    /** The router Camel built in initializeServer (private there): context path, sub-router, routes. */
    private Router topRouter() throws ReflectiveOperationException {
        Field field = VertxPlatformHttpServer.class.getDeclaredField("router");
        field.setAccessible(true);
        return (Router) field.get(this);
    }
}
