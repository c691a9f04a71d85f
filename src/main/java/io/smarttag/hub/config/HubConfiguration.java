package io.smarttag.hub.config;

import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.alert.AlertComposer;
import io.smarttag.hub.alert.EmlWriter;
import io.smarttag.hub.alert.OpsNotices;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.archive.ArchiveTarget;
import io.smarttag.hub.archive.S3Clients;
import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.db.DatabaseHealthCheck;
import io.smarttag.hub.db.Databases;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.EventValidator;
import io.smarttag.hub.http.CallbackHttpHandlers;
import io.smarttag.hub.http.HealthEndpoint;
import io.smarttag.hub.http.HttpReplies;
import io.smarttag.hub.http.ReplayEndpoint;
import io.smarttag.hub.http.ShutdownGate;
import io.smarttag.hub.inbox.RetryPolicy;
import java.util.Properties;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The beans the YAML routes refer to by name (#hubDataSource, hubTx, eventValidator, ...), built
 * from the hub.* properties. Routes say what happens; this class only wires the parts.
 */
public class HubConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HubConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        HubSettings settings = new HubSettings(context);
        Registry registry = context.getRegistry();

        HikariDataSource dataSource = Databases.open(settings);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        });
        Databases.migrateWhenReachable(dataSource, 5000);
        registry.bind("hubDataSource", dataSource);
        registry.bind("hubTx", new SpringTransactionPolicy(new DataSourceTransactionManager(dataSource)));
        registry.bind("databaseHealthCheck", new DatabaseHealthCheck(dataSource));

        HubClock clock = new HubClock();
        registry.bind("hubClock", clock);
        registry.bind("retryPolicy", new RetryPolicy(clock,
                settings.number("hub.retry.initial-delay-ms"), settings.decimal("hub.retry.multiplier"),
                settings.number("hub.retry.max-delay-ms"), settings.integer("hub.retry.max-attempts")));
        registry.bind("httpReplies", new HttpReplies());
        ShutdownGate gate = new ShutdownGate(settings.number("hub.shutdown.drain-ms"), settings.integer("hub.http.port"));
        context.getManagementStrategy().addEventNotifier(gate);
        registry.bind("shutdownGate", gate);
        context.addStartupListener(new CallbackHttpHandlers(settings.integer("hub.http.port"), settings.text("hub.http.path")));
        context.addStartupListener(new ReplayEndpoint(settings.text("hub.management.token"), dataSource));
        context.addStartupListener(new HealthEndpoint(settings.text("hub.management.token")));
        registry.bind("eventValidator", new EventValidator());
        registry.bind("eventRows", new EventRows());

        CallbackAuthenticator authenticator = new CallbackAuthenticator(
                settings.text("hub.callback.url"), settings.text("hub.callback.auth-key"),
                settings.text("hub.callback.auth-key-previous"), settings.number("hub.callback.max-age-seconds"));
        if (!authenticator.isEnabled()) {
            LOG.warn("hub.callback.auth-key is not set: HTTP callbacks are accepted WITHOUT signature check");
        }
        registry.bind("callbackAuthenticator", authenticator);

        String bucket = settings.text("hub.archive.bucket");
        registry.bind("archiveKeys", new ArchiveKeys(settings.text("hub.archive.prefix")));
        registry.bind("archiveTarget", new ArchiveTarget(bucket, settings.text("hub.archive.dir")));
        if (!bucket.isEmpty()) {
            registry.bind("hubS3Client", S3Clients.create(settings));
        }

        registry.bind("alertComposer", new AlertComposer());
        registry.bind("emlWriter", new EmlWriter());
        registry.bind("opsNotices", new OpsNotices(settings.number("hub.alert.storm.window-ms")));
        Properties mail = new Properties();
        mail.setProperty("mail.smtp.starttls.enable", settings.text("hub.alert.smtp.starttls"));
        mail.setProperty("mail.smtp.writetimeout", settings.text("hub.alert.smtp.timeout-ms"));
        mail.setProperty("mail.smtps.writetimeout", settings.text("hub.alert.smtp.timeout-ms"));
        registry.bind("alertMailProperties", mail);
    }
}
