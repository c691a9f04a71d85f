package io.smarttag.hub.mns;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.HealthCheckComponent;

/**
 * Consumes Alibaba Cloud MNS (Simple Message Queue) queues: {@code mns:queueName?options}.
 * Unlike the unreleased upstream camel-alibaba-mns, bodies are read raw (VOD writes raw JSON)
 * with Base64 only as a fallback, and a message is deleted only after its exchange succeeded.
 */
@Component("mns")
public class MnsComponent extends HealthCheckComponent {

    @Metadata(description = "Default configuration for endpoints of this component")
    private MnsConfiguration configuration = new MnsConfiguration();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("mns: a queue name is required, as in mns:vod-events");
        }
        MnsConfiguration endpointConfiguration = configuration.copy();
        endpointConfiguration.setQueueName(remaining);
        MnsEndpoint endpoint = new MnsEndpoint(uri, this, endpointConfiguration);
        // Options go onto the configuration; whatever is left (bridgeErrorHandler, ...) onto the endpoint.
        setProperties(endpointConfiguration, parameters);
        setProperties(endpoint, parameters);
        endpointConfiguration.validate();
        return endpoint;
    }

    public MnsConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(MnsConfiguration configuration) {
        this.configuration = configuration;
    }
}
