package io.smarttag.hub.setup;

/** A setup or check that cannot go on: one line for the user (never a secret), exit code 1. */
public final class SetupException extends Exception {
    public SetupException(String message) {
        super(message);
    }
}
