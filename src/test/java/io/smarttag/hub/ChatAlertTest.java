package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.Outbox;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.WebhookReceiver;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failed job alerted to a chat webhook as well as by email (hub.alert.channels=email,webhook): the
 * chat gets the body its format expects (json, slack, dingtalk), with the event's values unable to
 * add lines, mentions, links or markup, and the .eml is still written.
 */
class ChatAlertTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** CR/LF to forge a line, a Slack mention, emphasis and a markdown link. */
    private static final String INJECTION = "Decoding failed\r\nInjected: 1\n<!channel> *x* [a](http://e)";

    @ParameterizedTest
    @ValueSource(strings = {"json", "slack", "dingtalk"})
    void aFailedJobReachesTheChatInItsFormatAndByEmail(String format) throws Exception {
        String jobId = "chat-" + format;
        byte[] failed = Samples.with(Samples.fail(), "JobId", jobId, "Message", INJECTION);
        try (WebhookReceiver chat = new WebhookReceiver();
             RunningHub hub = RunningHub.builder()
                     .property("hub.alert.channels", "email,webhook")
                     .property("hub.alert.webhook.url", chat.url("/chat/" + format))
                     .property("hub.alert.webhook.format", format)
                     .start()) {
            assertEquals(200, hub.post(failed).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, "alert", "done"));

            List<WebhookReceiver.Request> requests = chat.awaitRequests(1, WAIT);
            assertEquals(1, requests.size(), "one chat message per failed job");
            WebhookReceiver.Request request = requests.get(0);
            assertEquals("POST", request.method());
            assertEquals("/chat/" + format, request.path());
            assertEquals("application/json", WebhookDestinationTest.mediaType(request.header("Content-Type")));
            JsonNode body = JSON.readTree(request.body());
            System.out.printf("chat alert (%s): %s%n", format, request.bodyText());
            for (String value : strings(body)) {
                assertFalse(value.contains("\r"), "no CR in any value: " + value);
                for (String line : value.split("\n", -1)) {
                    assertFalse(line.stripLeading().startsWith("Injected"), "the event's LF started a line: " + value);
                }
            }

            switch (format) {
                case "json" -> {
                    assertEquals(jobId, body.path("jobId").asText());
                    assertEquals("InternalError", body.path("code").asText());
                    String message = body.path("message").asText();
                    assertFalse(message.contains("\n"), message);
                    assertTrue(message.contains("Decoding failed") && message.contains("Injected: 1"), message);
                    assertTrue(body.path("subject").asText().contains(jobId), body.toString());
                    assertTrue(body.path("text").asText().contains(jobId), body.toString());
                }
                case "slack" -> {
                    String text = body.path("text").asText();
                    assertTrue(text.contains(jobId), text);
                    String line = lineStartingWith(text, "Message: ");
                    assertTrue(line.contains("Injected: 1"), "the Message stays on its line: " + line);
                    assertFalse(text.contains("<"), "no raw '<' (a mention or link) reaches Slack: " + text);
                    assertTrue(line.contains("&lt;!channel&gt;"), "escaped as Slack documents: " + line);
                }
                case "dingtalk" -> {
                    assertEquals("markdown", body.path("msgtype").asText());
                    String title = body.path("markdown").path("title").asText();
                    String text = body.path("markdown").path("text").asText();
                    assertTrue(title.contains(jobId), title);
                    assertTrue(text.contains(jobId), text);
                    String line = lineStartingWith(text, "Message: ");
                    assertTrue(line.contains("Injected: 1"), "the Message stays on its line: " + line);
                    assertFalse(text.contains("<"), "no HTML tag reaches DingTalk: " + text);
                    String value = line.substring("Message: ".length());
                    for (int i = 0; i < value.length(); i++) {
                        if ("*[]()!`_#".indexOf(value.charAt(i)) >= 0) {
                            assertTrue(i > 0 && value.charAt(i - 1) == '\\',
                                    "markdown '" + value.charAt(i) + "' at " + i + " is not escaped: " + value);
                        }
                    }
                }
                default -> throw new AssertionError(format);
            }

            List<MimeMessage> mails = Outbox.await(hub.home().resolve("outbox"), 1, WAIT);
            assertEquals(1, mails.size(), "the email channel still writes its .eml");
            MimeMessage mail = mails.get(0);
            assertEquals("[smarttag] job " + jobId + " failed: InternalError", mail.getSubject());
            assertNull(mail.getHeader("Injected"), "no header forged from the Message");
            assertTrue(Outbox.text(mail).contains("Injected: 1"), Outbox.text(mail));
            assertEquals(1, WebhookDestinationTest.attempts(hub, jobId, "alert"), "both channels on the first attempt");
        }
    }

    /**
     * The chat answers 500 for a while: the alert is retried until the chat has it, and ops still get
     * one email, not one per attempt (the email channel had it on the first attempt).
     */
    @org.junit.jupiter.api.Test
    void aChatOutageDoesNotRepeatTheEmail() throws Exception {
        String jobId = "chat-outage";
        try (WebhookReceiver chat = new WebhookReceiver().respondWith(500);
             RunningHub hub = RunningHub.builder()
                     .property("hub.alert.channels", "email,webhook")
                     .property("hub.alert.webhook.url", chat.url("/chat"))
                     .property("hub.alert.webhook.format", "slack")
                     .property("hub.retry.initial-delay-ms", "200")
                     .property("hub.retry.multiplier", "1.0")
                     .property("hub.sweep.interval-ms", "200")
                     .start()) {
            assertEquals(200, hub.post(Samples.with(Samples.fail(), "JobId", jobId)).statusCode());
            chat.awaitRequests(3, WAIT);
            chat.respondWith(200);
            assertEquals(1, hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, jobId, "alert", "done"));
            int attempts = WebhookDestinationTest.attempts(hub, jobId, "alert");
            assertTrue(attempts >= 3, "failed chat posts, then the delivery: " + attempts);
            assertEquals(chat.requests().size(), attempts, "one chat post per attempt");
            Thread.sleep(500);
            assertEquals(1, Outbox.mails(hub.home().resolve("outbox")).size(),
                    "one email for the failed job, not one per attempt of the chat (" + attempts + " attempts)");
        }
    }

    /** The line of a chat text that starts with prefix (DingTalk ends lines with two spaces). */
    private static String lineStartingWith(String text, String prefix) {
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(prefix)) {
                return line.stripTrailing();
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' in: " + text);
    }

    /** Every string value in a JSON tree. */
    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.textValue());
        } else if (node.isContainerNode()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            if (node.isArray()) {
                node.forEach(child -> values.addAll(strings(child)));
            }
            while (fields.hasNext()) {
                values.addAll(strings(fields.next().getValue()));
            }
        }
        return values;
    }
}
