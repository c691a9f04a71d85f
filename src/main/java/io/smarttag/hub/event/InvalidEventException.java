package io.smarttag.hub.event;

/** An input that is not a usable event. The message is the reason returned to the sender. */
public class InvalidEventException extends Exception {

    public InvalidEventException(String reason) {
        super(reason, null, false, false);
    }
}
