package io.smarttag.hub.alert;

import io.smarttag.hub.event.VodEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the failed-job alert. Every value comes from the event, so each is stripped of control
 * characters (CR/LF could otherwise start a new mail header) and capped in length.
 */
public class AlertComposer {

    private static final int MAX_VALUE = 1000;

    public Alert compose(VodEvent event, String archiveLocation) {
        String code = event.getCode() == null || event.getCode().isBlank() ? "unknown" : event.getCode();
        String subject = headerSafe("[smarttag] job " + event.getJobId() + " failed: " + code);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("JobId", event.getJobId());
        fields.put("MediaId", event.getMediaId());
        fields.put("Code", code);
        fields.put("Message", event.getMessage());
        fields.put("EventTime", event.getEventTime());
        fields.put("Raw event archived at", archiveLocation);

        StringBuilder text = new StringBuilder("A VOD smart-tag job failed.\n\n");
        StringBuilder html = new StringBuilder("<html><body><p>A VOD smart-tag job failed.</p><table>");
        fields.forEach((name, value) -> {
            String safe = headerSafe(value);
            text.append(name).append(": ").append(safe).append('\n');
            html.append("<tr><th align=\"left\">").append(name).append("</th><td>")
                    .append(htmlEscape(safe)).append("</td></tr>");
        });
        html.append("</table></body></html>");
        return new Alert(subject, text.toString(), html.toString());
    }

    /** A value that cannot add a mail header or a line: control characters removed, length capped. */
    public static String headerSafe(String value) {
        if (value == null) {
            return "";
        }
        String clean = value.replaceAll("\\p{Cntrl}", "");
        return clean.length() > MAX_VALUE ? clean.substring(0, MAX_VALUE) : clean;
    }

    public static String htmlEscape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
