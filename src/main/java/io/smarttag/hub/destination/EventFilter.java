package io.smarttag.hub.destination;

import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;

/**
 * A destination's {@code filter}: an EventBridge event pattern, compiled once at start into an Event
 * Ruler machine (AWS's open-source matcher behind EventBridge; we do not match patterns ourselves).
 * It is matched against the event's view ({@link io.smarttag.hub.event.EventView}). A machine is
 * safe to match from many threads at once.
 */
public final class EventFilter {

    private final String pattern;
    private final Machine machine;

    private EventFilter(String pattern, Machine machine) {
        this.pattern = pattern;
        this.machine = machine;
    }

    /**
     * Compiles a pattern; one the matcher refuses fails with the property's name and the matcher's
     * reason, so the start says which property to fix.
     */
    public static EventFilter compile(String property, String pattern) {
        String reason = JsonRuleCompiler.check(pattern);
        if (reason != null) {
            throw new IllegalArgumentException(property + " is not a valid event pattern: " + oneLine(reason));
        }
        Machine machine = new Machine();
        try {
            machine.addRule(property, pattern);
        } catch (Exception | Error e) {
            throw new IllegalArgumentException(property + " is not a valid event pattern: " + oneLine(String.valueOf(e.getMessage())), e);
        }
        return new EventFilter(pattern, machine);
    }

    /** The matcher's reason on one line (Jackson appends the position on a line of its own). */
    private static String oneLine(String reason) {
        return reason.replaceAll("\\s*\\R\\s*", " ");
    }

    /** True when the event's view matches the pattern. */
    public boolean takes(JsonNode view) {
        return !machine.rulesForJSONEvent(view).isEmpty();
    }

    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
