package io.smarttag.hub.setup;

import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.common.ClientException;
import com.aliyun.mns.common.ServiceException;
import com.aliyun.mns.model.QueueMeta;
import java.io.PrintStream;

/**
 * Creates the queue VOD writes events to, with the official MNS SDK (PUT /queues/&lt;name&gt;).
 * MNS answers 201 for a new queue, 204 when a queue of that name with the same attributes exists
 * (both fine: setup can run again), and 409 QueueAlreadyExist when its attributes differ, which
 * setup reports instead of changing a queue someone else may rely on.
 */
public final class MnsQueues {

    /** The largest message MNS takes; VOD's events carry the whole tag result. */
    public static final long MAX_MESSAGE_SIZE = 65_536;

    /** What the hub needs of its queue. */
    public record Attributes(long retentionSeconds, long visibilityTimeoutSeconds) {
        public String describe() {
            return "MaximumMessageSize=" + MAX_MESSAGE_SIZE + " MessageRetentionPeriod=" + retentionSeconds
                    + " VisibilityTimeout=" + visibilityTimeoutSeconds + " DelaySeconds=0 PollingWaitSeconds=0";
        }
    }

    private MnsQueues() {
    }

    /** Creates the queue, or finds it as wanted; returns "created" or "exists". */
    public static String create(String accountEndpoint, String region, Credentials credentials, String queue,
                                Attributes attributes, PrintStream dryRun) throws SetupException {
        if (dryRun != null) {
            dryRun.println("dry run: PUT " + accountEndpoint.replaceAll("/+$", "") + "/queues/" + queue
                    + " " + attributes.describe() + " (MNS, AccessKeyId=" + Masks.accessKeyId(credentials.accessKeyId())
                    + ", signed with the AccessKey secret)");
            return "dry run";
        }
        MNSClientBuilder builder = MNSClientBuilder.create().accountEndpoint(accountEndpoint).region(region)
                .accessKeyId(credentials.accessKeyId()).accessKeySecret(credentials.accessKeySecret());
        if (credentials.securityToken() != null) {
            builder.securityToken(credentials.securityToken());
        }
        MNSClient client = builder.build();
        try {
            QueueMeta meta = new QueueMeta();
            meta.setQueueName(queue);
            meta.setMaxMessageSize(MAX_MESSAGE_SIZE);
            meta.setMessageRetentionPeriod(attributes.retentionSeconds());
            meta.setVisibilityTimeout(attributes.visibilityTimeoutSeconds());
            meta.setDelaySeconds(0L);
            meta.setPollingWaitSeconds(0);
            String location = client.getQueueRef(queue).create(meta);
            return location == null || location.isBlank() ? "exists" : "created";
        } catch (ServiceException e) {
            if ("QueueAlreadyExist".equals(e.getErrorCode())) {
                throw new SetupException("MNS queue '" + queue + "' already exists with other attributes (MNS QueueAlreadyExist,"
                        + " RequestId " + e.getRequestId() + "): set it to " + attributes.describe()
                        + " in the MNS console, delete it, or choose another --mns-queue");
            }
            throw new SetupException(OpenApiErrors.line("MNS", "CreateQueue", e.getErrorCode(), e.getRequestId(), e.getMessage()));
        } catch (ClientException e) {
            throw new SetupException("MNS CreateQueue failed: " + accountEndpoint + " cannot be reached or answered"
                    + " unreadably (" + e.getClass().getSimpleName() + "); check --mns-endpoint, --mns-region and the network");
        } finally {
            client.close();
        }
    }
}
