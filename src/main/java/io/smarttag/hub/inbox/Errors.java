package io.smarttag.hub.inbox;

/**
 * An error as it is recorded in an inbox row's last_error and in the one log line per failed
 * attempt: one line (database drivers put the SQL statement and details on lines of their own),
 * at most {@value #MAX} characters.
 */
public class Errors {

    static final int MAX = 500;

    /** Any text (an id from an event) on one line: CR, LF and tabs become '_'. */
    public static String flat(String text) {
        // called for every id of every event log line: a regex only when there is something to replace
        if (text == null || (text.indexOf('\r') < 0 && text.indexOf('\n') < 0 && text.indexOf('\t') < 0)) {
            return text;
        }
        return text.replace('\r', '_').replace('\n', '_').replace('\t', '_');
    }

    public String oneLine(Throwable error) {
        if (error == null) {
            return "";
        }
        // a split or multicast wraps the real failure ("Multicast processing failed for number 0 ...")
        while (error instanceof org.apache.camel.CamelExchangeException && error.getCause() != null) {
            error = error.getCause();
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        // a library's wrapper often says only that it failed ("Failed to construct kafka producer"):
        // the innermost cause says why (a name that does not resolve, a refused connection)
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != error && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + " (cause: " + root.getMessage() + ")";
        }
        String line = message.replaceAll("[\\r\\n\\t]+", " ").replaceAll(" {2,}", " ").trim();
        return line.length() > MAX ? line.substring(0, MAX) + "..." : line;
    }

    /** Capped to what an inbox row's last_error holds. */
    public static String cap(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
    }
}
