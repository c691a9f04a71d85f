package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;

/**
 * JSON bodies of the callback answers, built with Jackson so a reason is always escaped
 * properly. Values are bound from the exchange by annotation, never parsed out of a string.
 */
public class HttpReplies {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String accepted(@Variable("acceptResult") String result, @Variable("inboxId") String id) {
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
