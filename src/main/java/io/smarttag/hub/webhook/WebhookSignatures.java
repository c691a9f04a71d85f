package io.smarttag.hub.webhook;

import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.inbox.EventWork;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Variable;

/** The webhook-signature header of a webhook destination's POST (destination-webhook.yaml). */
public class WebhookSignatures {

    /** One signer per secret: decoding a whsec_ secret once, not per event. */
    private final Map<String, StandardWebhooks> signers = new ConcurrentHashMap<>();

    /** Signs the body as it will be sent (the destination's format applied already). */
    public String sign(@Variable("destination") Destination destination, @Variable("work") EventWork work,
            @Header(StandardWebhooks.TIMESTAMP_HEADER) String timestamp, @Body byte[] body) {
        StandardWebhooks signer = signers.computeIfAbsent(destination.option("secret"), StandardWebhooks::new);
        return signer.signature(work.getInboxId(), Long.parseLong(timestamp), body);
    }
}
