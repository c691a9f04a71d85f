package io.smarttag.hub.auth;

/** A callback whose signature or timestamp does not check out. The message is the reason returned. */
public class UnauthorizedException extends Exception {

    public UnauthorizedException(String reason) {
        super(reason, null, false, false);
    }
}
