package io.smarttag.hub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON bodies of the callback answers; built with Jackson so reasons are always escaped properly. */
public class HttpReplies {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String accepted(String result, String id) {
        ObjectNode node = JSON.createObjectNode().put("status", result);
        if (id != null) {
            node.put("id", id);
        }
        return node.toString();
    }

    public String error(String error, String reason) {
        return JSON.createObjectNode().put("error", error).put("reason", reason == null ? "" : reason).toString();
    }
}
