package io.smarttag.hub.health;

import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: can this instance still accept a callback durably? Yes while the database answers,
 * and also while only the spool can take it (a callback is then spooled and answered 200). Only
 * when neither can is the instance out of service: on Kubernetes a database outage must not take
 * every pod out of the Service, or VOD's callbacks would never reach the spool that exists for it.
 */
public class AcceptHealthCheck extends AbstractHealthCheck {

    private final DatabaseHealthCheck database;
    private final SpoolHealthCheck spool;

    public AcceptHealthCheck(DatabaseHealthCheck database, SpoolHealthCheck spool) {
        super("smarttag", "accept");
        this.database = database;
        this.spool = spool;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (database.call(options).getState() == HealthCheck.State.UP) {
            builder.up();
        } else if (spool.canTake()) {
            builder.message("degraded: the database is down, callbacks are spooled").up();
        } else {
            builder.message("neither the database nor the spool can take a callback").down();
        }
    }
}
