package io.smarttag.hub.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * smarttag_mns_consumer_up{queue}: 1 while the MNS consumer's health check (mns-&lt;queue&gt;) is UP,
 * 0 while it is DOWN, so an alert rule can page on it. Read from the check on each scrape (the
 * check only reads counters), registered once the consumers have started and registered theirs.
 */
public class HealthGauges implements ExtendedStartupListener {

    static final String MNS_PREFIX = "mns-";

    private final MeterRegistry registry;

    public HealthGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // consumers register their checks while the routes start
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        HealthCheckRegistry checks = HealthCheckRegistry.get(context);
        if (checks == null) {
            return;
        }
        checks.stream().filter(check -> check.getId().startsWith(MNS_PREFIX)).forEach(check ->
                Gauge.builder("smarttag.mns.consumer.up", check, HealthGauges::up)
                        .description("1 while the MNS consumer's receives succeed, 0 while it is reported DOWN")
                        .tags("queue", check.getId().substring(MNS_PREFIX.length()))
                        .strongReference(true)
                        .register(registry));
    }

    private static double up(HealthCheck check) {
        return check.call().getState() == HealthCheck.State.UP ? 1 : 0;
    }
}
