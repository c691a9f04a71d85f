package io.smarttag.hub.config;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smarttag.hub.alert.AlertComposer;
import io.smarttag.hub.alert.EmlWriter;
import io.smarttag.hub.alert.OpsNotices;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.archive.ArchiveTarget;
import io.smarttag.hub.archive.S3Clients;
import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.db.Databases;
import io.smarttag.hub.db.JobRowsWriter;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.EventValidator;
import io.smarttag.hub.health.AcceptHealthCheck;
import io.smarttag.hub.health.DatabaseHealthCheck;
import io.smarttag.hub.health.DestinationHealthCheck;
import io.smarttag.hub.health.SpoolHealthCheck;
import io.smarttag.hub.http.BodyBudget;
import io.smarttag.hub.http.CallbackHttpHandlers;
import io.smarttag.hub.http.DevConsoleGuard;
import io.smarttag.hub.http.HealthEndpoint;
import io.smarttag.hub.http.HttpReplies;
import io.smarttag.hub.http.RejectionLog;
import io.smarttag.hub.http.ReplayEndpoint;
import io.smarttag.hub.http.ShutdownGate;
import io.smarttag.hub.inbox.Errors;
import io.smarttag.hub.kamelet.KameletDestinations;
import io.smarttag.hub.kamelet.KameletHeaders;
import io.smarttag.hub.sql.SqlDestinations;
import org.apache.camel.component.kamelet.KameletComponent;
import io.smarttag.hub.inbox.EventMdc;
import io.smarttag.hub.inbox.RetryPolicy;
import io.smarttag.hub.inbox.EventLog;
import io.smarttag.hub.inbox.InboxEngine;
import io.smarttag.hub.inbox.AcceptStep;
import io.smarttag.hub.inbox.Handoff;
import io.smarttag.hub.inbox.InboxWriter;
import io.smarttag.hub.alert.AlertLog;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.destination.Payloads;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.destination.OptionCheck;
import io.smarttag.hub.metrics.Backlog;
import io.smarttag.hub.metrics.HealthGauges;
import io.smarttag.hub.metrics.HubMetrics;
import io.smarttag.hub.metrics.SpoolFiles;
import io.smarttag.hub.ops.OpsPage;
import io.smarttag.hub.quarantine.QuarantineMetrics;
import io.smarttag.hub.quarantine.QuarantineStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beans the YAML routes refer to by name (#hubDataSource, inboxEngine, jobRows, ...) that need
 * other beans or several hub.* properties. Beans with no such needs are declared in
 * application.properties (camel.beans.*). Routes say what happens; this class only wires the parts.
 */
public class HubConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HubConfiguration.class);

    /** Fails the start, naming the property, when another process listens on the port already. */
    static void requireFreePort(String property, String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException(property + " = " + port + ": the port is in use on " + host
                    + " (another hub or program listens there); stop it or set " + property + " (env "
                    + property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_') + ")", e);
        }
    }

    /** Live events waiting for a worker (seda:process): a backfill waits while there are any. */
    static int liveQueue(CamelContext context) {
        org.apache.camel.component.seda.SedaComponent seda = context.hasComponent("seda") instanceof org.apache.camel.component.seda.SedaComponent s
                ? s : null;
        if (seda == null) {
            return 0;
        }
        for (var entry : seda.getQueues().entrySet()) {
            if (entry.getKey().endsWith("process")) {
                return entry.getValue().getQueue().size();
            }
        }
        return 0;
    }

    /**
     * Camel's route metrics (camel_exchanges_*) are not kept for these routes (hub.metrics.routes-excluded):
     * the routes every event passes between a source and its destinations count what the source,
     * process and destination routes count already, and each route's metrics cost every exchange a
     * formatted property name and timers (issue 21 profile). camel-micrometer-prometheus has added
     * its factory by now (camel.metrics.*); the routes and their policies are made after this.
     */
    private static void excludeRouteMetrics(CamelContext context, String routes) {
        if (routes == null || routes.isBlank()) {
            return;
        }
        for (org.apache.camel.spi.RoutePolicyFactory factory : context.getRoutePolicyFactories()) {
            if (factory instanceof org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory metrics) {
                // a configuration of this context's own: the factory starts with one shared by the JVM
                var shared = metrics.getPolicyConfiguration();
                var own = new org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration();
                own.setContextEnabled(shared.isContextEnabled());
                own.setRouteEnabled(shared.isRouteEnabled());
                own.setAdditionalCounters(shared.isAdditionalCounters());
                own.setExchangesSucceeded(shared.isExchangesSucceeded());
                own.setExchangesFailed(shared.isExchangesFailed());
                own.setExchangesTotal(shared.isExchangesTotal());
                own.setExternalRedeliveries(shared.isExternalRedeliveries());
                own.setFailuresHandled(shared.isFailuresHandled());
                own.setLongTask(shared.isLongTask());
                own.setExcludePattern(routes.replace(" ", ""));
                metrics.setPolicyConfiguration(own);
            }
        }
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        HubSettings settings = new HubSettings(context);
        // Camel's classpath scans (the developer consoles) list a jar from its index, not by inflating it
        context.getCamelContextExtension().addContextPlugin(PackageScanResourceResolver.class, new JarListingScanResolver());
        // first, before anything is opened: a misspelled option would be ignored without a word (an
        // unsigned webhook for `secrett`), a start that fails names it
        Destinations destinations = Destinations.fromProperties(context);
        // kamelet destinations first (kamelet, required properties, component jars): the option check
        // below takes a kamelet's properties as its options, and a missing kamelet is the clearer reason
        KameletDestinations kamelets = KameletDestinations.plan(destinations, Path.of(settings.text("hub.kamelets.dir")),
                HubConfiguration.class.getClassLoader());
        OptionCheck.check(context, destinations);
        Registry registry = context.getRegistry();
        // Camel's management server only logs a port it cannot bind, and the hub would run without
        // health, metrics or replay (orchestrators then restart it in a loop, unexplained): fail now.
        requireFreePort("hub.management.port", settings.text("hub.management.host"), settings.integer("hub.management.port"));

        HikariDataSource dataSource = Databases.open(settings);
        // Flyway runs on a thread of its own while this configuration goes on and Camel loads the
        // YAML routes (on a fresh database about half a second each, issue 21: ready in 2 s). The
        // pool's service below, the first the hub adds, waits for it when the context starts: before
        // the hub's other services, the routes and the management routes (health) start, as when
        // Flyway ran here. migrateWhenReachable returns as it did (a database that is down leaves a
        // retry in the background and the hub spools).
        FutureTask<Void> migration = new FutureTask<>(() -> Databases.migrateWhenReachable(dataSource, 5000), null);
        Thread migrating = new Thread(migration, "smarttag-migrate-start");
        migrating.setDaemon(true);
        migrating.start();
        context.addService(new ServiceSupport() {
            @Override
            protected void doStart() throws Exception {
                try {
                    migration.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
                }
            }

            @Override
            protected void doStop() {
                dataSource.close();
            }
        });
        registry.bind("hubDataSource", dataSource);
        // Health: readiness is "can accept a callback" (database or spool); the database, the spool and
        // each destination are components of the detail view, DOWN there without leaving service.
        DatabaseHealthCheck databaseCheck = new DatabaseHealthCheck(dataSource);
        SpoolHealthCheck spoolCheck = new SpoolHealthCheck(Path.of(settings.text("hub.spool.dir")));
        registry.bind("databaseHealthCheck", databaseCheck);
        registry.bind("spoolHealthCheck", spoolCheck);
        registry.bind("acceptHealthCheck", new AcceptHealthCheck(databaseCheck, spoolCheck));

        // One Prometheus registry for Camel's route and JVM metrics and the hub's own (camel-micrometer-
        // prometheus finds it under this name and serves it at /observe/metrics).
        MeterRegistry meters = MicrometerUtils.getMeterRegistryFromCamelRegistry(registry, MicrometerConstants.METRICS_REGISTRY_NAME);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        excludeRouteMetrics(context, settings.text("hub.metrics.routes-excluded"));
        registry.bind("destinations", destinations);
        context.addStartupListener((camel, alreadyStarted) -> destinations.checkRoutes(camel));
        LOG.info("destinations: {}", destinations.active());
        // kamelet destinations: a route each, checked above
        registry.bind("kameletHeaders", new KameletHeaders());
        if (!kamelets.isEmpty()) {
            context.getComponent("kamelet", KameletComponent.class).setRouteProperties(kamelets.routeProperties());
            context.addRoutes(kamelets);
        }
        // sql destinations: their statements checked now, a pool each (closed after the routes stopped)
        SqlDestinations sqlRows = new SqlDestinations(destinations);
        context.addService(sqlRows);
        registry.bind("sqlRows", sqlRows);
        HubMetrics metrics = new HubMetrics(meters,
                new Backlog(dataSource, settings.number("hub.metrics.backlog-refresh-ms"), destinations),
                new SpoolFiles(Path.of(settings.text("hub.spool.dir"))), destinations.names());
        registry.bind("hubMetrics", metrics);
        for (String destination : destinations.names()) {
            registry.bind("destinationHealthCheck-" + destination,
                    new DestinationHealthCheck(destination, metrics, settings.integer("hub.health.destination-failures")));
        }
        context.addStartupListener(new HealthGauges(meters));

        HubClock clock = new HubClock();
        registry.bind("hubClock", clock);
        // one line for an error in a log message, its innermost cause included (00-errors.yaml)
        registry.bind("errors", new Errors());
        RetryPolicy retry = new RetryPolicy(clock,
                settings.number("hub.retry.initial-delay-ms"), settings.decimal("hub.retry.multiplier"),
                settings.number("hub.retry.max-delay-ms"), settings.integer("hub.retry.max-attempts"));
        OpsNotices notices = new OpsNotices(settings.number("hub.alert.storm.window-ms"));
        ArchiveKeys archiveKeys = new ArchiveKeys(settings.text("hub.archive.prefix"));
        registry.bind("archiveKeys", archiveKeys);
        // Group commit of accept; a service added after the data source's, so it is stopped (drained) before the pool closes.
        InboxWriter writer = new InboxWriter(dataSource, clock, settings.number("hub.sweep.grace-ms"),
                settings.integer("hub.accept.batch-max"), settings.number("hub.accept.batch-window-ms"), metrics);
        context.addService(writer);
        registry.bind("inboxWriter", writer);
        // a service too: its group commit of finish is drained after the routes stopped, before the pool closes
        EventLog eventLog = new EventLog(settings.flag("hub.log.events"));
        registry.bind("eventLog", eventLog);
        InboxEngine engine = new InboxEngine(dataSource, destinations, retry, clock, settings.number("hub.process.lease-ms"),
                metrics, notices, archiveKeys, writer, settings.integer("hub.process.finish-batch-max"),
                settings.number("hub.process.finish-window-ms"), eventLog);
        context.addService(engine);
        registry.bind("inboxEngine", engine);
        // events travel to the workers in memory while fewer than 4 per worker wait and their bodies
        // stay under hub.process.handoff-max-bytes (Handoff)
        Handoff handoff = new Handoff(context.createProducerTemplate(), settings.integer("hub.process.queue-size"),
                4 * settings.integer("hub.process.workers"), settings.number("hub.process.handoff-max-bytes"));
        AcceptStep acceptStep = new AcceptStep(writer, eventLog, metrics, handoff);
        registry.bind("acceptStep", acceptStep);
        registry.bind("alertLog", new AlertLog(dataSource, destinations, clock, notices));
        ShutdownGate gate = new ShutdownGate(settings.number("hub.shutdown.drain-ms"), settings.integer("hub.http.port"));
        context.getManagementStrategy().addEventNotifier(gate);
        context.addStartupListener(new io.smarttag.hub.metrics.ExchangeEventsOff());
        registry.bind("shutdownGate", gate);
        context.addStartupListener(new CallbackHttpHandlers(settings.integer("hub.http.port"), settings.text("hub.http.path"), metrics,
                new BodyBudget(settings.number("hub.http.max-body-memory-bytes"), settings.number("hub.http.max-body-bytes"))));
        context.addStartupListener(new ReplayEndpoint(settings.text("hub.management.token"), dataSource, destinations));
        registry.bind("inboxRetention", new io.smarttag.hub.lifecycle.InboxRetention(dataSource, clock,
                settings.integer("hub.inbox.retention-days"), settings.integer("hub.inbox.retention-batch"), meters));
        io.smarttag.hub.lifecycle.EventStatus eventStatus = new io.smarttag.hub.lifecycle.EventStatus(dataSource, destinations, archiveKeys);
        context.addStartupListener(new io.smarttag.hub.http.EventStatusEndpoint(settings.text("hub.management.token"), eventStatus));
        io.smarttag.hub.lifecycle.Backfills backfills = new io.smarttag.hub.lifecycle.Backfills(dataSource, destinations, clock);
        context.addStartupListener(new io.smarttag.hub.http.BackfillEndpoint(settings.text("hub.management.token"), backfills));
        context.addStartupListener(new OpsPage(settings.text("hub.management.token"), dataSource, settings.number("hub.ops.session-minutes"),
                eventStatus, backfills, destinations.names()));
        QuarantineMetrics quarantineMetrics = new QuarantineMetrics();
        registry.bind("quarantineMetrics", quarantineMetrics);
        metrics.bindQuarantine(quarantineMetrics);
        registry.bind("quarantineStore", QuarantineStore.fromSettings(settings, dataSource, clock, quarantineMetrics));
        context.addStartupListener(new HealthEndpoint(settings.text("hub.management.token")));
        context.addStartupListener(new DevConsoleGuard(settings.text("hub.management.token")));
        // Group commit of the database destination's rows; a service, so it is drained before the pool closes.
        JobRowsWriter jobRows = new JobRowsWriter(dataSource, new EventRows(), Clock.systemUTC(), engine,
                settings.integer("hub.database.batch-max"), settings.number("hub.database.batch-window-ms"), metrics::databaseBatch);
        context.addService(jobRows);
        registry.bind("jobRows", jobRows);

        CallbackAuthenticator authenticator = new CallbackAuthenticator(
                settings.text("hub.callback.url"), settings.text("hub.callback.auth-key"),
                settings.text("hub.callback.auth-key-previous"), settings.number("hub.callback.max-age-seconds"));
        if (!authenticator.isEnabled()) {
            LOG.warn("hub.callback.auth-key is not set: HTTP callbacks are accepted WITHOUT signature check");
        }
        registry.bind("callbackAuthenticator", authenticator);
        io.smarttag.hub.http.CallbackRequests requests = new io.smarttag.hub.http.CallbackRequests(metrics, gate, authenticator);
        registry.bind("callbackRequests", requests);
        io.smarttag.hub.event.EventValidator validator = new io.smarttag.hub.event.EventValidator();
        registry.bind("eventValidator", validator);
        io.smarttag.hub.http.HttpReplies replies = new io.smarttag.hub.http.HttpReplies();
        registry.bind("httpReplies", replies);
        // the steps every callback and delivery passes, as Processors (process: ref: <bean>.<method>)
        EventSteps.bind(registry, requests, validator, acceptStep, replies, engine, jobRows, archiveKeys);

        // Alerts say where the raw event is: in the default archive (hub.archive.*).
        ArchiveTarget defaultArchive = new ArchiveTarget(settings.text("hub.archive.bucket"), settings.text("hub.archive.dir"));
        registry.bind("archiveTarget", defaultArchive);
        for (Destination archive : destinations.ofType("archive")) {
            if (!archive.option("bucket").isEmpty()) {
                S3Clients.bind(archive, registry);
            }
        }

        // What webhook and kamelet destinations send (their format); the tags document points at the
        // default archive when an archive destination keeps the events.
        registry.bind("payloads", new Payloads(new ObjectMapper(), defaultArchive, !destinations.ofType("archive").isEmpty(),
                settings.text("hub.cloudevents.source"), settings.text("hub.cloudevents.type-prefix")));
        // Backfills: read the archive with the archive destination's own S3 client, deliver through the destinations' routes.
        io.smarttag.hub.lifecycle.BackfillRunner backfillRunner = new io.smarttag.hub.lifecycle.BackfillRunner(dataSource, backfills,
                destinations, archiveKeys, name -> registry.lookupByNameAndType(S3Clients.beanName(name), software.amazon.awssdk.services.s3.S3Client.class),
                context, retry, clock, new io.smarttag.hub.lifecycle.BackfillRunner.Settings(settings.decimal("hub.backfill.max-rate"),
                        settings.integer("hub.backfill.workers"), settings.integer("hub.backfill.checkpoint-every"),
                        settings.number("hub.backfill.lease-ms")),
                () -> liveQueue(context), meters);
        context.addService(backfillRunner);
        registry.bind("backfillRunner", backfillRunner);

        registry.bind("alertChat", new io.smarttag.hub.alert.AlertChat(defaultArchive));
        registry.bind("opsNotices", notices);
        Properties mail = new Properties();
        mail.setProperty("mail.smtp.starttls.enable", settings.text("hub.alert.smtp.starttls"));
        mail.setProperty("mail.smtp.writetimeout", settings.text("hub.alert.smtp.timeout-ms"));
        mail.setProperty("mail.smtps.writetimeout", settings.text("hub.alert.smtp.timeout-ms"));
        registry.bind("alertMailProperties", mail);
    }
}
