package io.smarttag.hub.mns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.mns.client.CloudQueue;
import com.aliyun.mns.client.MNSClient;
import com.aliyun.mns.client.MNSClientBuilder;
import com.aliyun.mns.common.ServiceHandlingRequiredException;
import com.aliyun.mns.model.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MNS-protocol test server, driven by the official SDK unchanged: the proof that it speaks MNS. */
class MnsTestServerTest {

    private static MnsTestServer server;
    private static MNSClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new MnsTestServer("test-ak", "test-secret");
        server.setVisibilityTimeoutMs(1000);
        client = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                .accessKeyId("test-ak").accessKeySecret("test-secret").build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void documentedSignatureVector() {
        String toSign = MnsSignature.stringToSign("GET", "", "", "Thu, 09 Jul 2015 03:01:34 GMT",
                Map.of("x-mns-version", "2015-06-06"), "/MyQueue");
        assertEquals("uwx3yeWoILzgmvesW0BQSgfM7b8=", MnsSignature.sign("TestAccessSecret", toSign));
    }

    @Test
    void sendReceiveDeleteWithRawAndBase64Bodies() throws Exception {
        CloudQueue queue = client.getQueueRef("basic");
        Message raw = new Message();
        raw.setMessageBodyAsRawString("{\"Tag\":\"气垫 & <b>\"}");
        queue.putMessage(raw);
        Message encoded = new Message();
        encoded.setMessageBody("{\"JobId\":\"b64\"}");
        queue.putMessage(encoded);

        List<Message> received = queue.batchPopMessage(16, 1);
        assertEquals(2, received.size());
        assertEquals("{\"Tag\":\"气垫 & <b>\"}", received.get(0).getMessageBodyAsRawString());
        assertEquals("{\"JobId\":\"b64\"}", received.get(1).getMessageBody());
        assertEquals(1, received.get(0).getDequeueCount());
        queue.batchDeleteMessage(List.of(received.get(0).getReceiptHandle(), received.get(1).getReceiptHandle()));
        assertEquals(0, server.size("basic"));
        assertNull(queue.popMessage(1), "an empty long poll is MessageNotExist, which the SDK turns into null");
    }

    @Test
    void visibilityTimeoutRedeliversAndInvalidatesTheOldHandle() throws Exception {
        server.setVisibilityTimeoutMs(2500);
        CloudQueue queue = client.getQueueRef("visibility");
        Message message = new Message();
        message.setMessageBodyAsRawString("{}");
        queue.putMessage(message);
        Message first = queue.popMessage(1);
        assertNull(queue.popMessage(1), "invisible while in flight");
        Thread.sleep(1600);
        Message second = queue.popMessage(1);
        assertEquals(2, second.getDequeueCount());
        assertNotEquals(first.getReceiptHandle(), second.getReceiptHandle());
        assertThrows(ServiceHandlingRequiredException.class, () -> queue.deleteMessage(first.getReceiptHandle()));
        Message extended = queue.changeMessageVisibility(second.getReceiptHandle(), 5);
        assertNotEquals(second.getReceiptHandle(), extended.getReceiptHandle());
        assertThrows(ServiceHandlingRequiredException.class, () -> queue.deleteMessage(second.getReceiptHandle()));
        queue.deleteMessage(extended.getReceiptHandle());
        assertEquals(0, server.size("visibility"));
    }

    @Test
    void wrongSecretIsSignatureDoesNotMatch() {
        MNSClient wrong = MNSClientBuilder.create().accountEndpoint(server.endpoint()).region("cn-shanghai")
                .accessKeyId("test-ak").accessKeySecret("not-the-secret").build();
        try {
            int rejectedBefore = server.rejectedSignatures();
            Exception e = assertThrows(Exception.class, () -> wrong.getQueueRef("basic").popMessage(1));
            assertTrue(e.getMessage().contains("signature"), e.getMessage());
            assertTrue(server.rejectedSignatures() > rejectedBefore);
        } finally {
            wrong.close();
        }
    }
}
