package io.smarttag.hub.mns;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Health of one mns: consumer, id {@code mns-<queue>}: DOWN once healthFailureThreshold receives
 * in a row failed, with the MNS error code (or the client error) as the reason; UP again after
 * the next successful receive. It reads the consumer's state and calls nothing remote itself.
 *
 * <p>Neither a readiness nor a liveness check: a queue source that cannot receive does not stop
 * the hub from accepting HTTP callbacks (readiness), and a restart would not fix a wrong key
 * (liveness). It shows in the overall health (/observe/health), which answers 503 while it is
 * DOWN, for monitoring to alert on.
 */
public class MnsConsumerHealthCheck extends AbstractHealthCheck {

    private final MnsConsumer consumer;
    private final String queueName;

    public MnsConsumerHealthCheck(MnsConsumer consumer, String queueName) {
        super("camel", "mns-" + queueName);
        this.consumer = consumer;
        this.queueName = queueName;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        MnsConsumer.ReceiveStatus status = consumer.receiveStatus();
        int threshold = consumer.getEndpoint().getConfiguration().getHealthFailureThreshold();
        builder.detail("mns.queue", queueName);
        builder.detail("mns.consecutive.failures", status.consecutiveFailures());
        if (status.consecutiveFailures() > 0 && status.lastErrorCode() != null) {
            builder.detail(SERVICE_ERROR_CODE, status.lastErrorCode());
        }
        if (threshold > 0 && status.consecutiveFailures() >= threshold) {
            builder.message("MNS queue " + queueName + ": the last " + status.consecutiveFailures()
                    + " receives failed, last error: " + status.lastError() + "; retrying with backoff");
            builder.down();
        } else {
            builder.up();
        }
    }
}
