package io.smarttag.hub.health;

import io.smarttag.hub.metrics.HubMetrics;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * A destination, for the detail view: DOWN after hub.health.destination-failures attempts in a
 * row failed, UP again after one succeeds. Its events wait and are retried, so it never takes the
 * instance out of service.
 */
public class DestinationHealthCheck extends ComponentHealthCheck {

    private final String destination;
    private final HubMetrics metrics;
    private final int threshold;

    public DestinationHealthCheck(String destination, HubMetrics metrics, int threshold) {
        super("destination-" + destination);
        this.destination = destination;
        this.metrics = metrics;
        this.threshold = threshold;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        int failures = metrics.consecutiveFailures(destination);
        builder.detail("destination.consecutive.failures", failures);
        if (threshold > 0 && failures >= threshold) {
            builder.message("the last " + failures + " attempts failed; events wait and are retried").down();
        } else {
            builder.up();
        }
    }
}
