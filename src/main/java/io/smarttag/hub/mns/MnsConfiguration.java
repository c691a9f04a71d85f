package io.smarttag.hub.mns;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/** Options of an mns: endpoint (see MnsComponent for the URI format). */
@UriParams
public class MnsConfiguration implements Cloneable {

    @UriPath(description = "Name of the MNS queue")
    @Metadata(required = true)
    private String queueName;
    @UriParam(description = "Account endpoint, e.g. https://<accountId>.mns.cn-shanghai.aliyuncs.com")
    @Metadata(required = true)
    private String accountEndpoint;
    @UriParam(description = "Region id, e.g. cn-shanghai (required by the MNS SDK 2.x)")
    @Metadata(required = true)
    private String region;
    @UriParam(label = "security", secret = true, description = "AccessKey id")
    private String accessKeyId;
    @UriParam(label = "security", secret = true, description = "AccessKey secret")
    private String accessKeySecret;
    @UriParam(label = "security", secret = true, description = "STS security token, for temporary credentials")
    private String securityToken;
    @UriParam(defaultValue = "30", description = "Long-poll wait of one receive, 1 to 30 seconds")
    private int waitSeconds = 30;
    @UriParam(defaultValue = "16", description = "Messages asked for per receive, 1 to 16 (batch receive above 1)")
    private int maxMessagesPerPoll = 16;
    @UriParam(defaultValue = "1", description = "Number of polling threads")
    private int concurrentConsumers = 1;
    @UriParam(defaultValue = "4", description = "Messages of one receive that go through the route at the same time, "
            + "1 to 16: the polling thread and up to batchConcurrency - 1 threads of a pool the consumer owns; messages "
            + "reaching accept together share one inbox transaction (group commit). 1: one after another on the polling thread")
    private int batchConcurrency = 4;
    @UriParam(defaultValue = "0", description = "When above 0, a message still being processed gets its visibility "
            + "extended by this many seconds before it would become visible again (for slow processing)")
    private int visibilityExtensionSeconds;
    @UriParam(defaultValue = "10", description = "A message that was not accepted becomes visible again after this "
            + "many seconds (its retry delay)")
    private int failureVisibilitySeconds = 10;
    @UriParam(defaultValue = "5", description = "A message handed out this many times is marked as poison "
            + "(header CamelMnsPoison) so the route can quarantine it; 0 turns this off")
    private int maxDequeueCount = 5;
    @UriParam(label = "advanced", defaultValue = "1000", description = "First pause after a failed receive, in ms")
    private long backoffInitialMs = 1000;
    @UriParam(label = "advanced", defaultValue = "2.0", description = "Factor applied to the pause after each further failure")
    private double backoffMultiplier = 2.0;
    @UriParam(label = "advanced", defaultValue = "60000", description = "Longest pause between failed receives, in ms")
    private long backoffMaxMs = 60_000;

    @UriParam(label = "health", defaultValue = "3", description = "After this many failed receives in a row (all "
            + "polling threads together) the consumer's health check mns-<queue> is DOWN, until a receive succeeds; 0: never DOWN")
    private int healthFailureThreshold = 3;

    public MnsConfiguration copy() {
        try {
            return (MnsConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /** Fails fast on values MNS would reject anyway. */
    public void validate() {
        require(accountEndpoint != null && !accountEndpoint.isBlank(), "accountEndpoint is required");
        require(region != null && !region.isBlank(), "region is required");
        require(waitSeconds >= 1 && waitSeconds <= 30, "waitSeconds must be 1 to 30");
        require(maxMessagesPerPoll >= 1 && maxMessagesPerPoll <= 16, "maxMessagesPerPoll must be 1 to 16");
        require(concurrentConsumers >= 1, "concurrentConsumers must be at least 1");
        require(batchConcurrency >= 1 && batchConcurrency <= 16, "batchConcurrency must be 1 to 16");
        require(failureVisibilitySeconds >= 1 && failureVisibilitySeconds <= 43200, "failureVisibilitySeconds must be 1 to 43200");
        require(healthFailureThreshold >= 0, "healthFailureThreshold must be 0 or more");
        require(backoffInitialMs > 0 && backoffMultiplier >= 1 && backoffMaxMs >= backoffInitialMs, "backoff settings are inconsistent");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("mns: " + message);
        }
    }

    public String getQueueName() {
        return queueName;
    }

    public void setQueueName(String queueName) {
        this.queueName = queueName;
    }

    public String getAccountEndpoint() {
        return accountEndpoint;
    }

    public void setAccountEndpoint(String accountEndpoint) {
        this.accountEndpoint = accountEndpoint;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getAccessKeyId() {
        return accessKeyId;
    }

    public void setAccessKeyId(String accessKeyId) {
        this.accessKeyId = accessKeyId;
    }

    public String getAccessKeySecret() {
        return accessKeySecret;
    }

    public void setAccessKeySecret(String accessKeySecret) {
        this.accessKeySecret = accessKeySecret;
    }

    public String getSecurityToken() {
        return securityToken;
    }

    public void setSecurityToken(String securityToken) {
        this.securityToken = securityToken;
    }

    public int getWaitSeconds() {
        return waitSeconds;
    }

    public void setWaitSeconds(int waitSeconds) {
        this.waitSeconds = waitSeconds;
    }

    public int getMaxMessagesPerPoll() {
        return maxMessagesPerPoll;
    }

    public void setMaxMessagesPerPoll(int maxMessagesPerPoll) {
        this.maxMessagesPerPoll = maxMessagesPerPoll;
    }

    public int getConcurrentConsumers() {
        return concurrentConsumers;
    }

    public void setConcurrentConsumers(int concurrentConsumers) {
        this.concurrentConsumers = concurrentConsumers;
    }

    public int getBatchConcurrency() {
        return batchConcurrency;
    }

    public void setBatchConcurrency(int batchConcurrency) {
        this.batchConcurrency = batchConcurrency;
    }

    public int getVisibilityExtensionSeconds() {
        return visibilityExtensionSeconds;
    }

    public void setVisibilityExtensionSeconds(int visibilityExtensionSeconds) {
        this.visibilityExtensionSeconds = visibilityExtensionSeconds;
    }

    public int getFailureVisibilitySeconds() {
        return failureVisibilitySeconds;
    }

    public void setFailureVisibilitySeconds(int failureVisibilitySeconds) {
        this.failureVisibilitySeconds = failureVisibilitySeconds;
    }

    public int getMaxDequeueCount() {
        return maxDequeueCount;
    }

    public void setMaxDequeueCount(int maxDequeueCount) {
        this.maxDequeueCount = maxDequeueCount;
    }

    public long getBackoffInitialMs() {
        return backoffInitialMs;
    }

    public void setBackoffInitialMs(long backoffInitialMs) {
        this.backoffInitialMs = backoffInitialMs;
    }

    public double getBackoffMultiplier() {
        return backoffMultiplier;
    }

    public void setBackoffMultiplier(double backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public long getBackoffMaxMs() {
        return backoffMaxMs;
    }

    public void setBackoffMaxMs(long backoffMaxMs) {
        this.backoffMaxMs = backoffMaxMs;
    }

    public int getHealthFailureThreshold() {
        return healthFailureThreshold;
    }

    public void setHealthFailureThreshold(int healthFailureThreshold) {
        this.healthFailureThreshold = healthFailureThreshold;
    }
}
