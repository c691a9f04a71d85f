package io.smarttag.hub.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.event.VodEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The failed-job alert and the hub's ops notices as the JSON body a chat webhook expects:
 * <ul>
 *   <li>{@code json}: a flat object (subject, text and, for a failed job, the event's fields).</li>
 *   <li>{@code slack}: a Slack incoming webhook, {@code {"text": ...}}.</li>
 *   <li>{@code dingtalk}: a DingTalk robot markdown message,
 *       {@code {"msgtype":"markdown","markdown":{"title":...,"text":...}}}.</li>
 * </ul>
 *
 * <p>Values from an event are untrusted. Each goes through {@link AlertComposer#headerSafe} first, so no
 * control character survives and one field can never start a line or paragraph; only the hub writes
 * line breaks ({@code \n}). Then each is escaped for the target:
 * <ul>
 *   <li>Slack: {@code & < >} become {@code &amp; &lt; &gt;}, Slack's documented escaping, so a value cannot
 *       mention ({@code <!channel>}) or link. Slack has no escape for {@code * _ ~ `}, so a value may still
 *       show emphasis, inside its own line.</li>
 *   <li>DingTalk: markdown punctuation {@code \ ` * _ # [ ] ( ) ! | ~} gets a backslash (CommonMark
 *       backslash escapes), and {@code & < >} become HTML entities because DingTalk's markdown also takes
 *       HTML tags. A value inside a line cannot add structure then; in ops notices, where a value can
 *       start a line, the line loses its indentation and a leading {@code - + =} or {@code 1.} is escaped
 *       too. Lines end in two spaces before {@code \n}, markdown's hard line break, since DingTalk would
 *       otherwise join them. The title (the preview in the chat list) is the plain subject.</li>
 * </ul>
 * JSON is written by Jackson, so quotes and backslashes in values stay valid JSON.
 */
public class ChatMessages {

    public static final List<String> FORMATS = List.of("json", "slack", "dingtalk");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKDOWN_SPECIALS = "\\`*_#[]()!|~";

    private final AlertComposer composer = new AlertComposer();

    /** The given format if the hub can write it. */
    public static String validate(String format) {
        if (format == null || !FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown chat message format '" + AlertComposer.headerSafe(format)
                    + "'; allowed: " + String.join(", ", FORMATS));
        }
        return format;
    }

    /** The message for one failed job; archiveLocation is where its raw event was archived. */
    public String format(String format, VodEvent event, String archiveLocation) {
        validate(format);
        Alert alert = composer.compose(event, archiveLocation);
        if (format.equals("json")) {
            ObjectNode body = JSON.createObjectNode()
                    .put("subject", alert.subject())
                    .put("text", alert.text())
                    .put("jobId", AlertComposer.headerSafe(event.getJobId()))
                    .put("mediaId", AlertComposer.headerSafe(event.getMediaId()))
                    .put("code", AlertComposer.headerSafe(event.getCode()))
                    .put("message", AlertComposer.headerSafe(event.getMessage()))
                    .put("eventTime", AlertComposer.headerSafe(event.getEventTime()))
                    .put("archive", AlertComposer.headerSafe(archiveLocation));
            return write(body);
        }
        // Same fields and labels as the mail, so ops read one alert whatever the channel.
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("JobId", event.getJobId());
        fields.put("MediaId", event.getMediaId());
        fields.put("Code", event.getCode() == null || event.getCode().isBlank() ? "unknown" : event.getCode());
        fields.put("Message", event.getMessage());
        fields.put("EventTime", event.getEventTime());
        fields.put("Raw event archived at", archiveLocation);
        UnaryOperator<String> escape = format.equals("slack") ? ChatMessages::slackEscape : ChatMessages::markdownEscape;
        List<String> lines = new ArrayList<>();
        lines.add("A VOD smart-tag job failed.");
        fields.forEach((name, value) -> lines.add(name + ": " + escape.apply(AlertComposer.headerSafe(value))));
        return chat(format, alert.subject(), lines);
    }

    /** An ops notice not about one event (parked event, digest): its subject and text. */
    public String format(String format, Alert alert) {
        validate(format);
        // The text's lines are the hub's; each is still cleaned, as it quotes event values (job ids, codes).
        List<String> lines = new ArrayList<>();
        for (String line : alert.text().split("\n", -1)) {
            lines.add(AlertComposer.headerSafe(line));
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        String subject = AlertComposer.headerSafe(alert.subject());
        if (format.equals("json")) {
            return write(JSON.createObjectNode().put("subject", subject).put("text", String.join("\n", lines)));
        }
        UnaryOperator<String> escape = format.equals("slack") ? ChatMessages::slackEscape
                : line -> markdownLineStart(markdownEscape(line));
        lines.replaceAll(escape);
        return chat(format, subject, lines);
    }

    /** Slack or DingTalk body: lines are already escaped for the format, the subject not yet. */
    private static String chat(String format, String subject, List<String> lines) {
        String safeSubject = AlertComposer.headerSafe(subject);
        if (format.equals("slack")) {
            return write(JSON.createObjectNode()
                    .put("text", "*" + slackEscape(safeSubject) + "*\n" + String.join("\n", lines)));
        }
        ObjectNode body = JSON.createObjectNode().put("msgtype", "markdown");
        body.putObject("markdown")
                .put("title", safeSubject)
                .put("text", "#### " + markdownEscape(safeSubject) + "\n" + String.join("  \n", lines));
        return write(body);
    }

    /** Slack's three control characters, per https://api.slack.com/reference/surfaces/formatting#escaping. */
    static String slackEscape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Markdown punctuation backslash-escaped, HTML's & < > as entities. */
    static String markdownEscape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (char c : value.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> {
                    if (MARKDOWN_SPECIALS.indexOf(c) >= 0) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }

    /**
     * A line whose text starts with a value (a digest's job id list) could begin "- " or "1. " (a list),
     * "===" (turns the line above into a heading) or four spaces (code block). '-', '+' and '=' only
     * matter there, so they are not escaped elsewhere. Leading spaces only indent the hub's lists.
     */
    private static String markdownLineStart(String escapedLine) {
        return escapedLine.stripLeading()
                .replaceFirst("^(\\d+)([.)])", "$1\\\\$2")
                .replaceFirst("^([-+=])", "\\\\$1");
    }

    private static String write(ObjectNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            // A tree of strings always serialises; keep the checked exception out of callers.
            throw new IllegalStateException(e);
        }
    }
}
