package io.smarttag.hub.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.testsupport.Samples;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Chat webhook bodies: their shape per format, and that event values cannot add lines, mentions or markup. */
class ChatMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARCHIVE = "s3://bucket/raw/a1b2.json";
    private static final String INJECTION = "\"\r\nInjected: 1\n<!channel> *bold* [x](http://evil)";

    private final ChatMessages messages = new ChatMessages();

    @Test
    void jsonCarriesTheFailedJobsFields() throws Exception {
        JsonNode body = JSON.readTree(messages.format("json", fail(), ARCHIVE));
        assertEquals(Set.of("subject", "text", "jobId", "mediaId", "code", "message", "eventTime", "archive"), names(body));
        assertEquals("[smarttag] job a1b2c3d4e5f6478899aabbccddeeff00 failed: InternalError", body.get("subject").asText());
        assertEquals("a1b2c3d4e5f6478899aabbccddeeff00", body.get("jobId").asText());
        assertEquals("sj83k40d92c641401fab46a0b842e9****", body.get("mediaId").asText());
        assertEquals("InternalError", body.get("code").asText());
        assertEquals("The smart tag job failed because the video could not be decoded.", body.get("message").asText());
        assertEquals("2017-03-20T08:02:11Z", body.get("eventTime").asText());
        assertEquals(ARCHIVE, body.get("archive").asText());
        assertTrue(body.get("text").asText().contains("\nMessage: The smart tag job failed"), body.get("text").asText());
    }

    @Test
    void jsonWritesMissingValuesAsEmptyStrings() throws Exception {
        JsonNode body = JSON.readTree(messages.format("json", new VodEvent(), null));
        for (String field : List.of("jobId", "mediaId", "code", "message", "eventTime", "archive")) {
            assertTrue(body.get(field).isTextual(), field);
            assertEquals("", body.get(field).asText(), field);
        }
    }

    @Test
    void slackIsAnIncomingWebhookTextWithOneLinePerField() throws Exception {
        JsonNode body = JSON.readTree(messages.format("slack", fail(), ARCHIVE));
        assertEquals(Set.of("text"), names(body));
        List<String> lines = body.get("text").asText().lines().toList();
        assertEquals("*[smarttag] job a1b2c3d4e5f6478899aabbccddeeff00 failed: InternalError*", lines.get(0));
        assertTrue(lines.contains("Code: InternalError"), lines.toString());
        assertTrue(lines.contains("Raw event archived at: " + ARCHIVE), lines.toString());
    }

    @Test
    void dingTalkIsARobotMarkdownMessage() throws Exception {
        JsonNode body = JSON.readTree(messages.format("dingtalk", fail(), ARCHIVE));
        assertEquals(Set.of("msgtype", "markdown"), names(body));
        assertEquals("markdown", body.get("msgtype").asText());
        assertEquals(Set.of("title", "text"), names(body.get("markdown")));
        assertEquals("[smarttag] job a1b2c3d4e5f6478899aabbccddeeff00 failed: InternalError",
                body.get("markdown").get("title").asText());
        String text = body.get("markdown").get("text").asText();
        assertTrue(text.startsWith("#### \\[smarttag\\] job a1b2c3d4e5f6478899aabbccddeeff00 failed: InternalError\n"), text);
        assertTrue(text.contains("  \nCode: InternalError  \n"), text);
        assertTrue(text.contains("MediaId: sj83k40d92c641401fab46a0b842e9\\*\\*\\*\\*"), text);
        assertTrue(text.contains("  \nEventTime: 2017-03-20T08:02:11Z  \n"), text);
    }

    @Test
    void anInjectedMessageStaysOneLineAndInert() throws Exception {
        VodEvent evil = fail();
        evil.setMessage(INJECTION);

        String slack = JSON.readTree(messages.format("slack", evil, ARCHIVE)).get("text").asText();
        String slackLine = onlyLineWith(slack, "Message: ");
        assertEquals("Message: \"Injected: 1&lt;!channel&gt; *bold* [x](http://evil)", slackLine);
        assertFalse(slack.contains("<"), slack);

        String dingTalk = JSON.readTree(messages.format("dingtalk", evil, ARCHIVE)).get("markdown").get("text").asText();
        String dingTalkLine = onlyLineWith(dingTalk, "Message: ");
        assertEquals("Message: \"Injected: 1&lt;\\!channel&gt; \\*bold\\* \\[x\\]\\(http://evil\\)  ", dingTalkLine);
        assertFalse(dingTalk.contains("<"), dingTalk);

        JsonNode json = JSON.readTree(messages.format("json", evil, ARCHIVE));
        assertEquals("\"Injected: 1<!channel> *bold* [x](http://evil)", json.get("message").asText());
        assertEquals(json.get("message").asText(), onlyLineWith(json.get("text").asText(), "Message: ").substring(9));

        for (String body : List.of(slack, dingTalk, json.toString())) {
            assertFalse(body.contains("\r"), body);
            assertFalse(body.lines().anyMatch(line -> line.startsWith("Injected")), body);
        }
    }

    @Test
    void quotesAndBackslashesStillMakeValidJson() throws Exception {
        VodEvent odd = fail();
        odd.setJobId("j\"1\\");
        odd.setMessage("say \"hi\" \\n \\\" }{ ]");
        for (String format : ChatMessages.FORMATS) {
            JsonNode body = JSON.readTree(messages.format(format, odd, "C:\\archive\\\"x\""));
            assertTrue(body.isObject(), format);
        }
        JsonNode json = JSON.readTree(messages.format("json", odd, "C:\\archive\\\"x\""));
        assertEquals("j\"1\\", json.get("jobId").asText());
        assertEquals("say \"hi\" \\n \\\" }{ ]", json.get("message").asText());
        assertEquals("C:\\archive\\\"x\"", json.get("archive").asText());
    }

    @Test
    void anOpsNoticeKeepsTheHubsLinesAndEscapesTheirValues() throws Exception {
        Alert digest = new OpsNotices(60_000).digest(List.of(
                Map.of("job_id", "1. <!here>", "code", "X*"),
                Map.of("job_id", "- item", "code", "X*"),
                Map.of("job_id", "===", "code", "X*")));

        JsonNode json = JSON.readTree(messages.format("json", digest));
        assertEquals(Set.of("subject", "text"), names(json));
        assertEquals("[smarttag] 3 more jobs failed in the last 60 s", json.get("subject").asText());
        assertEquals(digest.text().strip(), json.get("text").asText());

        String slack = JSON.readTree(messages.format("slack", digest)).get("text").asText();
        assertTrue(slack.startsWith("*[smarttag] 3 more jobs failed in the last 60 s*\n"), slack);
        assertTrue(slack.contains("\n1. &lt;!here&gt;\n"), slack);

        JsonNode dingTalk = JSON.readTree(messages.format("dingtalk", digest));
        String text = dingTalk.get("markdown").get("text").asText();
        assertTrue(text.startsWith("#### \\[smarttag\\] 3 more jobs failed in the last 60 s\n"), text);
        assertTrue(text.contains("  \nX\\*: 3  \n"), text);
        assertTrue(text.endsWith("  \nJobIds:  \n1\\. &lt;\\!here&gt;  \n\\- item  \n\\==="), text);
    }

    @Test
    void unknownFormatsAreRefusedNamingTheAllowedOnes() {
        assertEquals("slack", ChatMessages.validate("slack"));
        for (String format : Arrays.asList("teams", "Slack", "", null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatMessages.validate(format));
            assertTrue(e.getMessage().contains("json, slack, dingtalk"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> messages.format("teams", new VodEvent(), ARCHIVE));
        assertThrows(IllegalArgumentException.class, () -> messages.format("teams", new Alert("s", "t", "h")));
    }

    private static VodEvent fail() throws Exception {
        return JSON.readValue(Samples.fail(), VodEvent.class);
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The one line holding marker: the value must not have spilled onto another. */
    private static String onlyLineWith(String text, String marker) {
        List<String> lines = text.lines().filter(line -> line.contains(marker)).toList();
        assertEquals(1, lines.size(), text);
        return lines.get(0);
    }
}
