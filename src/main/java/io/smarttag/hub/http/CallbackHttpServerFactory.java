package io.smarttag.hub.http;

import com.sun.management.UnixOperatingSystemMXBean;
import io.smarttag.hub.config.HubSettings;
import io.smarttag.hub.metrics.HubMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel Main's factory of the embedded HTTP server ({@code camel.server.*}), found by type in the
 * registry (bound in {@code HubMain}). The callback server is built from Camel's own configuration
 * but started as a {@link CallbackHttpServer}, with the connection limits of the {@code hub.http.*}
 * properties; the management server stays Camel's.
 */
public class CallbackHttpServerFactory extends DefaultMainHttpServerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackHttpServerFactory.class);

    @Override
    public Service newHttpServer(CamelContext camelContext, HttpServerConfigurationProperties properties) {
        MainHttpServer camels = (MainHttpServer) super.newHttpServer(camelContext, properties);
        VertxPlatformHttpServerConfiguration configuration = camels.getConfiguration();
        configuration.setServerType(VertxPlatformHttpRouter.SERVER_TYPE_SERVER);
        // a body is read into a buffer of its Content-Length, not one that doubles as it fills
        // (which held up to twice the body at the moment it grew; BodyBudget counts the body once)
        configuration.getBodyHandler().setPreallocateBodyBuffer(true);
        ConnectionGuard guard = guard(new HubSettings(camelContext));
        // counted and logged (at most hub.log.rejections-per-minute lines) like every other rejection;
        // the beans are looked up when the first request is refused, by then the hub has started
        guard.onRefused(address -> {
            HubMetrics metrics = camelContext.getRegistry().lookupByNameAndType("hubMetrics", HubMetrics.class);
            RejectionLog log = camelContext.getRegistry().lookupByNameAndType("rejectionLog", RejectionLog.class);
            if (metrics != null) {
                metrics.received("http");
                metrics.rejected("http", "forbidden");
            }
            if (log != null) {
                log.forbidden(address);
            }
        });
        CallbackHttpServer server = new CallbackHttpServer(configuration, guard);
        server.setCamelContext(camelContext);
        return server;
    }

    static ConnectionGuard guard(HubSettings settings) {
        int configured = settings.integer("hub.http.max-connections");
        int max = configured;
        long fileLimit = fileLimit();
        if (fileLimit > 0 && configured > fileLimit / 2) {
            max = (int) Math.max(1, fileLimit / 2);
            LOG.warn("hub.http.max-connections={} is more than half the process's open-file limit ({}): using {}",
                    configured, fileLimit, max);
        }
        SourceAllowList allowList = SourceAllowList.parse(settings.text("hub.callback.allowed-cidrs"));
        if (!allowList.allowsAll()) {
            LOG.info("callbacks are accepted only from {}", allowList);
        }
        return new ConnectionGuard(max, settings.number("hub.http.idle-timeout-ms"),
                settings.number("hub.http.request-timeout-ms"), allowList, fileLimit, CallbackHttpServerFactory::openFiles);
    }

    /** The files this process has open now, -1 where the JVM cannot tell. */
    private static long openFiles() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }

    /** The open-file limit of this process, -1 where the JVM cannot tell. */
    private static long fileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }
}
