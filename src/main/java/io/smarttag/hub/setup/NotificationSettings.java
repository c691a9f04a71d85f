package io.smarttag.hub.setup;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * VOD's event notification settings of one app, as GetMessageCallback returns them and
 * SetMessageCallback takes them. Null fields are not sent.
 */
public record NotificationSettings(String callbackType, String callbackUrl, String eventTypeList, String authSwitch,
                                   String authKey, String mnsEndpoint, String mnsQueueName) {

    /** The event type that switches on every AI event, AIVideoTagComplete among them. */
    public static final String AI_COMPLETE = "AIComplete";

    public static final NotificationSettings NONE = new NotificationSettings(null, null, null, null, null, null, null);

    public boolean signsHttpCallbacks() {
        return "HTTP".equalsIgnoreCase(callbackType) && "on".equalsIgnoreCase(authSwitch)
                && authKey != null && !authKey.isBlank();
    }

    /** The event types enabled now plus AIComplete, in their order; ALL already holds it. */
    public String eventTypesWithAiComplete() {
        Set<String> types = eventTypes();
        if (types.contains("ALL")) {
            return "ALL";
        }
        types.add(AI_COMPLETE);
        return String.join(",", types);
    }

    public Set<String> eventTypes() {
        Set<String> types = new LinkedHashSet<>();
        if (eventTypeList != null) {
            for (String type : eventTypeList.split(",")) {
                if (!type.isBlank()) {
                    types.add(type.trim());
                }
            }
        }
        return types;
    }
}
