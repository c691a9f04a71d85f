package io.smarttag.hub.http;

import io.smarttag.hub.auth.CallbackAuthenticator;
import io.smarttag.hub.inbox.EventMdc;
import io.smarttag.hub.metrics.HubMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What the hub takes of a callback request (source-http.yaml), as one call: the body, as bytes,
 * and VOD's two signature headers, which are checked. Every other request header and every query
 * parameter (platform-http makes each a message header) is dropped here, so none can reach what is
 * stored, routed or sent (a ?jobId= once replaced another job's rows). Before that, the previous
 * event's log context is cleared and the request counted; while the hub stops it is refused (503,
 * ShutdownGate). One step rather than eight: see AcceptStep for why the hot path counts steps.
 */
public class CallbackRequests {

    public static final String TIMESTAMP = "X-VOD-TIMESTAMP";
    public static final String SIGNATURE = "X-VOD-SIGNATURE";

    private final EventMdc mdc = new EventMdc();
    private final HubMetrics metrics;
    private final ShutdownGate gate;
    private final CallbackAuthenticator authenticator;

    public CallbackRequests(HubMetrics metrics, ShutdownGate gate, CallbackAuthenticator authenticator) {
        this.metrics = metrics;
        this.gate = gate;
        this.authenticator = authenticator;
    }

    /** The body as bytes (null for an empty POST: rejected at accept as "empty body", and quarantined). */
    public byte[] take(Exchange exchange) throws Exception {
        mdc.clear();
        metrics.received("http");
        Message request = exchange.getMessage();
        String timestamp = request.getHeader(TIMESTAMP, String.class);
        String signature = request.getHeader(SIGNATURE, String.class);
        request.removeHeaders("*");
        gate.check();
        authenticator.verify(timestamp, signature);
        return request.getBody(byte[].class);
    }
}
