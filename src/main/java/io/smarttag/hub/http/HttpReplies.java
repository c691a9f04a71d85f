package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.Variable;

/**
 * JSON bodies of the callback answers, built with Jackson so a reason is always escaped
 * properly. Values are bound from the exchange by annotation, never parsed out of a string.
 */
public class HttpReplies {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The 200 answer of a callback whose event is stored (accepted, duplicate or spooled), with its
     * inbox id when new. Only the status code and the Content-Type go back: nothing a step left in
     * the headers becomes a response header.
     */
    public String accepted(@Variable("acceptResult") String result, @Variable("inboxId") String id, Exchange exchange) {
        Message reply = exchange.getMessage();
        reply.removeHeaders("*");
        reply.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        reply.setHeader(Exchange.CONTENT_TYPE, "application/json");
        ObjectNode node = JSON.createObjectNode().put("status", result);
        if (id != null) {
            node.put("id", id);
        }
        return node.toString();
    }

    public String unauthorized(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        return error("unauthorized", cause == null ? null : cause.getMessage());
    }

    public String invalid(@Variable("quarantineReason") String reason) {
        return error("invalid_event", reason);
    }

    public String unavailable() {
        return error("unavailable", "the event could not be stored, retry later");
    }

    private static String error(String error, String reason) {
        return JSON.createObjectNode().put("error", error).put("reason", reason == null ? "" : reason).toString();
    }
}
