package io.smarttag.hub.http;

import org.apache.camel.ExchangeProperty;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN line of a rejected event or callback, at most hub.log.rejections-per-minute of them a
 * minute: a flood of bad input (callback authentication is off by default) must not flood the
 * log. What is not logged is counted, said in one line when the next minute starts, and always
 * counted in smarttag_events_rejected_total.
 */
public class RejectionLog {

    private static final Logger LOG = LoggerFactory.getLogger("rejections");
    private static final long WINDOW_MS = 60_000;

    private final int perMinute;
    private long windowStart;
    private int logged;
    private long suppressed;

    public RejectionLog(int perMinute) {
        this.perMinute = perMinute;
    }

    /** A callback refused with 401. */
    public void unauthorized(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        log("rejected callback (401): {}", cause == null ? "" : cause.getMessage());
    }

    /** A callback refused because its source is not in hub.callback.allowed-cidrs. */
    public void forbidden(String address) {
        log("refused callback (403) from {}: not in hub.callback.allowed-cidrs", address);
    }

    /** A callback whose body is over hub.http.max-body-bytes (413; not read, so not quarantined). */
    public void tooLarge(long maxBytes) {
        log("refused callback (413): its body is over hub.http.max-body-bytes ({} bytes), not read", String.valueOf(maxBytes));
    }

    /** An event refused and quarantined, with its reason. */
    public void quarantined(@Variable("source") String source, @Variable("quarantineReason") String reason) {
        log("rejected " + source + " event (quarantined): {}", reason);
    }

    private void log(String format, String reason) {
        long summary = 0;
        boolean write;
        synchronized (this) {
            long now = System.currentTimeMillis();
            if (now - windowStart >= WINDOW_MS) {
                summary = suppressed;
                windowStart = now;
                logged = 0;
                suppressed = 0;
            }
            write = perMinute <= 0 || logged < perMinute;
            if (write) {
                logged++;
            } else {
                suppressed++;
            }
        }
        if (summary > 0) {
            LOG.warn("{} more rejection(s) were not logged in the last minute (hub.log.rejections-per-minute); "
                    + "smarttag_events_rejected_total counts them all", summary);
        }
        if (write) {
            LOG.warn(format, reason);
        }
    }
}
