package io.smarttag.hub.alert;

import io.smarttag.hub.event.VodEvent;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hub's own notices to ops, besides the per-job failure alert: the digest that folds an alert
 * storm into one mail, and the notice that an event was parked after its last retry.
 */
public class OpsNotices {

    private final long windowSeconds;

    public OpsNotices(long windowMillis) {
        this.windowSeconds = windowMillis / 1000;
    }

    /** rows: job_id and code of each failed job folded into this digest. */
    public Alert digest(@Body List<Map<String, Object>> rows) {
        Map<String, Integer> byCode = new TreeMap<>();
        StringBuilder jobs = new StringBuilder();
        for (Map<String, Object> row : rows) {
            String code = row.get("code") == null ? "unknown" : AlertComposer.headerSafe(String.valueOf(row.get("code")));
            byCode.merge(code, 1, Integer::sum);
            jobs.append(AlertComposer.headerSafe(String.valueOf(row.get("job_id")))).append('\n');
        }
        String subject = "[smarttag] " + rows.size() + " more jobs failed in the last " + windowSeconds + " s";
        StringBuilder text = new StringBuilder("More smart-tag jobs failed than are mailed one by one.\n\nBy Code:\n");
        StringBuilder html = new StringBuilder("<html><body><p>More smart-tag jobs failed than are mailed one by one.</p>"
                + "<table><tr><th align=\"left\">Code</th><th>Jobs</th></tr>");
        byCode.forEach((code, count) -> {
            text.append("  ").append(code).append(": ").append(count).append('\n');
            html.append("<tr><td>").append(AlertComposer.htmlEscape(code)).append("</td><td>").append(count).append("</td></tr>");
        });
        text.append("\nJobIds:\n").append(jobs);
        html.append("</table><p>JobIds:</p><pre>").append(AlertComposer.htmlEscape(jobs.toString())).append("</pre></body></html>");
        return new Alert(subject, text.toString(), html.toString());
    }

    /** A destination gave up on an event after its attempts; an operator replays it once it is fixed. */
    public Alert parked(VodEvent event, String inboxId, String destination, int attempts, String lastError) {
        String jobId = event == null ? "?" : AlertComposer.headerSafe(event.getJobId());
        String where = AlertComposer.headerSafe(destination);
        String subject = "[smarttag] event parked: job " + jobId + " for " + where + " after " + attempts + " attempts";
        String error = AlertComposer.headerSafe(lastError);
        String text = "An event could not be delivered to destination " + where + " and is parked.\n\n"
                + "JobId: " + jobId + "\nInbox id: " + inboxId + "\nDestination: " + where + "\nAttempts: " + attempts
                + "\nLast error: " + error
                + "\n\nReplay it once the destination is fixed: see docs/reliability.md, Replaying parked events.\n";
        String html = "<html><body><p>An event could not be delivered to destination " + AlertComposer.htmlEscape(where)
                + " and is parked.</p><pre>" + AlertComposer.htmlEscape(text) + "</pre></body></html>";
        return new Alert(subject, text, html);
    }
}
