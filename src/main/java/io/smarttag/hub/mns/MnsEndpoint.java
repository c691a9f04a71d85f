package io.smarttag.hub.mns;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/** An MNS queue. It owns the SDK client, created on start and closed on stop. */
@UriEndpoint(firstVersion = "4.18.0", scheme = "mns", title = "Alibaba Cloud MNS", syntax = "mns:queueName",
        consumerOnly = true, category = { Category.CLOUD, Category.MESSAGING }, headersClass = MnsConstants.class)
public class MnsEndpoint extends DefaultEndpoint {

    @UriParam
    private final MnsConfiguration configuration;
    private MNSClient client;

    public MnsEndpoint(String uri, MnsComponent component, MnsConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    public MnsConfiguration getConfiguration() {
        return configuration;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("mns: only consuming is supported");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        MnsConsumer consumer = new MnsConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    synchronized CloudQueue queue() {
        if (client == null) {
            MNSClientBuilder builder = MNSClientBuilder.create()
                    .accountEndpoint(configuration.getAccountEndpoint())
                    .region(configuration.getRegion())
                    .accessKeyId(configuration.getAccessKeyId())
                    .accessKeySecret(configuration.getAccessKeySecret());
            if (configuration.getSecurityToken() != null && !configuration.getSecurityToken().isBlank()) {
                builder.securityToken(configuration.getSecurityToken());
            }
            client = builder.build();
        }
        return client.getQueueRef(configuration.getQueueName());
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
        super.doStop();
    }
}
