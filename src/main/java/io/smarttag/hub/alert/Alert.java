package io.smarttag.hub.alert;

/** An alert mail: subject, plain text and HTML body. */
public record Alert(String subject, String text, String html) {
}
