package io.smarttag.hub.health;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A component of the hub shown in the detail view of /observe/health (DEGRADED when it is down),
 * neither a liveness nor a readiness check: a component that is down delays events, it does not
 * make the instance unable to accept them, and a restart would not fix it.
 */
public abstract class ComponentHealthCheck extends AbstractHealthCheck {

    protected ComponentHealthCheck(String id) {
        super("smarttag", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }
}
